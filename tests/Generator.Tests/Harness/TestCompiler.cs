using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Ebpf.Generator.Tests.Harness;

/// <summary>
/// Compiles generated code as a user's project would: nullable enabled, every warning an error, XML doc
/// checking on, against the framework and (for whole skeletons) the real Ebpf.Runtime assembly.
/// </summary>
public static class TestCompiler
{
    public static readonly CSharpCompilationOptions Options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
        .WithNullableContextOptions(NullableContextOptions.Enable)
        .WithGeneralDiagnosticOption(ReportDiagnostic.Error)
        .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
        {
            // Assembly-identity noise of compiling against implementation assemblies, not about generated code.
            ["CS1701"] = ReportDiagnostic.Suppress,
            ["CS1702"] = ReportDiagnostic.Suppress,
        })
        .WithAllowUnsafe(false)
        .WithDeterministic(true);

    private static readonly Lazy<MetadataReference[]> framework = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray());

    /// <summary>The runtime assembly the test project references (src/Runtime, built with the tests).</summary>
    public static string RuntimeAssemblyPath => Path.Combine(AppContext.BaseDirectory, "Ebpf.Runtime.dll");

    public static IEnumerable<MetadataReference> References(bool withRuntime) =>
        withRuntime ? framework.Value.Append(MetadataReference.CreateFromFile(RuntimeAssemblyPath)) : framework.Value;

    public static CSharpCompilation Create(string assemblyName, bool withRuntime, params string[] sources) =>
        CSharpCompilation.Create(assemblyName, sources.Select(s => CSharpSyntaxTree.ParseText(s, GeneratorHarness.ParseOptions)),
                                 References(withRuntime), Options);

    /// <summary>All diagnostics (every warning is an error here), formatted with the offending line.</summary>
    public static List<string> Problems(Compilation compilation)
    {
        using var peStream = new MemoryStream();
        var result = compilation.Emit(peStream);
        return result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(Describe).ToList();
    }

    /// <summary>Compiles and loads the assembly into a collectible context.</summary>
    public static Assembly Load(Compilation compilation, AssemblyLoadContext context)
    {
        using var peStream = new MemoryStream();
        var result = compilation.Emit(peStream);
        if (!result.Success)
            throw new InvalidOperationException("compilation failed:\n" + string.Join("\n", result.Diagnostics.Select(Describe)));
        peStream.Position = 0;
        return context.LoadFromStream(peStream);
    }

    public static string Describe(Diagnostic d)
    {
        var line = d.Location.IsInSource
            ? d.Location.SourceTree!.GetText().Lines[d.Location.GetLineSpan().StartLinePosition.Line].ToString().Trim()
            : "";
        return $"{d.Id} {d.GetMessage()} at {d.Location.GetLineSpan()} | {line}";
    }
}
