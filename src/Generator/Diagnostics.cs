using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Ebpf.Generator
{
    /// <summary>Every diagnostic the generator reports. Documented in docs/diagnostics.md; ids never change meaning.</summary>
    internal static class Diagnostics
    {
        private const string Category = "Ebpf.Generator";

        public static readonly DiagnosticDescriptor UnreadableText = new DiagnosticDescriptor(
            "EBPF001", "BPF object copy is not valid base64",
            "The base64 copy of the BPF object '{0}' cannot be decoded ({1}); rebuild so the Ebpf.Build task rewrites it",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor MalformedObject = new DiagnosticDescriptor(
            "EBPF002", "Malformed BPF object",
            "The BPF object '{0}' cannot be read: {1}. Check that it was compiled with 'clang -target bpf -g -O2'.",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor UnknownProgramSection = new DiagnosticDescriptor(
            "EBPF003", "Unknown program section",
            "Program '{0}' is in section '{1}', which names no known program type; it is exposed as a plain BpfProgram and will not load until the section is fixed (e.g. SEC(\"xdp\"), SEC(\"tracepoint/<category>/<name>\")).",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor UnsupportedType = new DiagnosticDescriptor(
            "EBPF004", "Unsupported BTF construct",
            "{0} is not generated: {1}",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor IdentifierRenamed = new DiagnosticDescriptor(
            "EBPF005", "Identifier renamed",
            "{0} '{1}' is generated as '{2}' because '{3}' is already used or is not a valid C# identifier",
            Category, DiagnosticSeverity.Info, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor InvalidSkeletonName = new DiagnosticDescriptor(
            "EBPF006", "Invalid skeleton name or namespace",
            "{0} '{1}' is not a valid C# name; using '{2}' (set SkeletonName/Namespace on the BpfSource item)",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor UntypedMap = new DiagnosticDescriptor(
            "EBPF007", "Map exposed without a typed view",
            "Map '{0}' is exposed as a plain BpfMap: {1}",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor BigEndianObject = new DiagnosticDescriptor(
            "EBPF008", "Big-endian BPF object",
            "The BPF object '{0}' is big-endian; skeletons are generated for little-endian objects only (compile with -target bpfel or bpf on a little-endian host)",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor NoBtf = new DiagnosticDescriptor(
            "EBPF009", "BPF object without BTF",
            "The BPF object '{0}' has no BTF: map keys and values get size-only types and global variables are not exposed (compile with -g)",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor DuplicateSkeleton = new DiagnosticDescriptor(
            "EBPF010", "Duplicate skeleton name",
            "Skeleton '{0}' is generated for both '{1}' and '{2}'; the second is skipped (give one BpfSource a different SkeletonName or Namespace)",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor NamedTypeNotGenerated = new DiagnosticDescriptor(
            "EBPF011", "Type named in Types not generated",
            "Type '{0}' from the Types metadata is not generated: {1}",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        private const string LifecycleCategory = "Ebpf.Lifecycle";

        public static readonly DiagnosticDescriptor ConfiguredAfterLoad = new DiagnosticDescriptor(
            "EBPF201", "Skeleton setting written after Load()",
            "'{0}' is written after '{1}' was loaded on every path to here; .rodata variables and map sizes are fixed by Load(), so this throws InvalidOperationException. Set it before '{1}.Load()'.",
            LifecycleCategory, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor ProgramBeforeLoad = new DiagnosticDescriptor(
            "EBPF202", "Program used before Load()",
            "'{0}' is used before '{1}' is loaded on any path to here; programs exist only once the object is loaded, so this throws InvalidOperationException. Call '{1}.Load()' first, or open it with OpenAndLoad().",
            LifecycleCategory, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor InternalError = new DiagnosticDescriptor(
            "EBPF099", "Internal error in the skeleton generator",
            "The skeleton for '{0}' could not be generated because of a bug in Ebpf.Generator: {1}. Please report it with the object file.",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        private static readonly Dictionary<string, DiagnosticDescriptor> byId = Index(
            UnreadableText, MalformedObject, UnknownProgramSection, UnsupportedType, IdentifierRenamed, InvalidSkeletonName,
            UntypedMap, BigEndianObject, NoBtf, DuplicateSkeleton, NamedTypeNotGenerated, InternalError);

        public static DiagnosticDescriptor ById(string id) => byId[id];

        private static Dictionary<string, DiagnosticDescriptor> Index(params DiagnosticDescriptor[] descriptors)
        {
            var index = new Dictionary<string, DiagnosticDescriptor>();
            foreach (var d in descriptors)
                index.Add(d.Id, d);
            return index;
        }
    }
}
