using Microsoft.CodeAnalysis;

namespace Ebpf.Generator.Analysis
{
    /// <summary>Recognizes generated skeletons and their members by the shape the generator gives them (docs/skeletons.md).</summary>
    internal static class SkeletonSymbols
    {
        /// <summary>A class the skeleton generator wrote: <c>[GeneratedCode("Ebpf.Generator", ...)]</c> with a parameterless <c>Load()</c>.</summary>
        public static bool IsSkeleton(ITypeSymbol? type)
        {
            if (!(type is INamedTypeSymbol named) || named.TypeKind != TypeKind.Class)
                return false;
            var generated = false;
            foreach (var attribute in named.GetAttributes())
            {
                if (attribute.AttributeClass?.ToDisplayString() == "System.CodeDom.Compiler.GeneratedCodeAttribute" &&
                    attribute.ConstructorArguments.Length > 0 && attribute.ConstructorArguments[0].Value as string == "Ebpf.Generator")
                    generated = true;
            }
            if (!generated)
                return false;
            foreach (var member in named.GetMembers("Load"))
                if (member is IMethodSymbol m && m.Parameters.Length == 0 && !m.IsStatic)
                    return true;
            return false;
        }

        /// <summary>
        /// A read-only data section's property: the generator names the one of <c>.rodata</c> <c>Rodata</c> and those of
        /// <c>.rodata.*</c> <c>RodataXxx</c>; their variables are settable until Load and read-only afterwards.
        /// </summary>
        public static bool IsReadOnlySection(IPropertySymbol property) =>
            property.Name.StartsWith("Rodata", System.StringComparison.Ordinal) && IsSkeleton(property.ContainingType) &&
            property.Type is INamedTypeSymbol t && t.ContainingType is not null && IsSkeleton(t.ContainingType);

        /// <summary>The static factories: <c>OpenAndLoad</c> gives a loaded skeleton, <c>Open</c>/<c>OpenFile</c> an unloaded one.</summary>
        public static bool? FactoryLoads(IMethodSymbol method)
        {
            if (!method.IsStatic || !IsSkeleton(method.ContainingType))
                return null;
            switch (method.Name)
            {
                case "OpenAndLoad": return true;
                case "Open":
                case "OpenFile": return false;
                default: return null;
            }
        }
    }
}
