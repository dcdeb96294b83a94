using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Ebpf.Generator.Analysis
{
    /// <summary>
    /// The skeleton locals of one body (a method, a lambda or a local function) whose whole life the body shows: declared
    /// there (not in a function nested in it) and created by a factory
    /// (<c>XSkel.Open</c>/<c>OpenFile</c>/<c>OpenAndLoad</c>) and only used through their members. A local that escapes
    /// (passed as an argument, stored, returned, captured by a lambda or local function, reached through
    /// <c>.Object</c>, or initialized from anything else) is not tracked: what happens to it elsewhere is unknown.
    /// </summary>
    internal static class TrackedLocals
    {
        public static List<ILocalSymbol> Find(IOperation body)
        {
            var candidates = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
            var escaped = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
            foreach (var op in body.Descendants())
            {
                switch (op)
                {
                    case IVariableDeclaratorOperation declarator when SkeletonSymbols.IsSkeleton(declarator.Symbol.Type):
                        if (!IsContained(declarator, body))
                            break; // a local of a lambda or local function inside this body: analyzed as that function's own
                        candidates.Add(declarator.Symbol);
                        var init = declarator.Initializer?.Value ?? declarator.GetVariableInitializer()?.Value;
                        if (init != null && !IsFactoryOrNull(init))
                            escaped.Add(declarator.Symbol);
                        break;
                    case ILocalReferenceOperation reference when SkeletonSymbols.IsSkeleton(reference.Local.Type):
                        if (!IsContained(reference, body) || !IsAllowedUse(reference))
                            escaped.Add(reference.Local);
                        break;
                }
            }
            // Only locals declared here, by a declarator: a pattern or out variable comes from elsewhere, and a local of an
            // enclosing body, seen from a lambda, has whatever state the outer code left it in.
            var result = new List<ILocalSymbol>();
            foreach (var local in candidates)
                if (!escaped.Contains(local))
                    result.Add(local);
            return result;
        }

        /// <summary>False when the operation sits in a lambda or local function nested in <paramref name="body"/>: a capture
        /// runs at an unknown time, and that function's own locals are analyzed with its own graph.</summary>
        private static bool IsContained(IOperation reference, IOperation body)
        {
            for (var op = reference.Parent; op != null && op != body; op = op.Parent)
                if (op is IAnonymousFunctionOperation || op is ILocalFunctionOperation)
                    return false;
            return true;
        }

        private static bool IsAllowedUse(ILocalReferenceOperation reference)
        {
            switch (reference.Parent)
            {
                case IInvocationOperation invocation when invocation.Instance == reference:
                    return true; // Load(), Dispose()
                case IPropertyReferenceOperation property when property.Instance == reference:
                    return property.Property.Name != "Object"; // the BpfObject could be loaded or handed out behind our back
                case ISimpleAssignmentOperation assignment when assignment.Target == reference:
                    return IsFactoryOrNull(assignment.Value);
                case IUsingOperation _:
                    return true;
                default:
                    return false;
            }
        }

        internal static bool IsFactoryOrNull(IOperation value)
        {
            value = Unwrap(value);
            if (value is IInvocationOperation invocation)
                return SkeletonSymbols.FactoryLoads(invocation.TargetMethod) != null;
            return value.ConstantValue.HasValue && value.ConstantValue.Value == null;
        }

        internal static IOperation Unwrap(IOperation value)
        {
            while (value is IConversionOperation conversion && conversion.IsImplicit)
                value = conversion.Operand;
            return value;
        }
    }
}
