using Ebpf.Build.Clang;

namespace Ebpf.Build.Types;

/// <summary>
/// Finds out how each name of a source's <c>Types</c> metadata is declared, by asking clang: a syntax-only
/// pass over the source followed by <c>sizeof(struct N)</c>, <c>sizeof(union N)</c>, <c>sizeof(enum N)</c> and
/// <c>sizeof(N)</c>, one per line. A line clang accepts names a complete type of that kind; C has no other
/// way to ask "is there a type called N" (a forward declaration or a tag of the other kind is an error).
/// </summary>
internal static class TypeProbe
{
    /// <summary>The file name the probe lines report (<c>#line</c>), so their errors are told apart from the source's.</summary>
    public const string ProbeFileName = "<ebpf-types>";

    /// <summary>Outcome: each name's kind (null = no such complete type), or <see cref="SourceHasErrors"/> when the source itself does not compile.</summary>
    public sealed record Outcome(bool SourceHasErrors, IReadOnlyDictionary<string, TypeKind?> Kinds);

    public static string Text(string sourceFile, IReadOnlyList<string> names)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(CString.Include(sourceFile));
        sb.Append("#line 1 ").Append(CString.Quote(ProbeFileName)).Append('\n');
        for (var i = 0; i < names.Count; i++)
            foreach (var kind in TypeKinds.ProbeOrder)
                sb.Append("typedef char __ebpf_probe_").Append(i).Append('_').Append(kind)
                  .Append("[sizeof(").Append(TypeKinds.Spell(kind, names[i])).Append(")];\n");
        return sb.ToString();
    }

    /// <summary>Reads clang's diagnostics (msvc format) of a run over <see cref="Text"/>.</summary>
    public static Outcome Interpret(IReadOnlyList<string> names, string clangOutput, int exitCode)
    {
        var failedLines = new HashSet<int>();
        var otherErrors = false;
        foreach (var line in clangOutput.Split('\n'))
        {
            var d = ClangDiagnostic.Parse(line.TrimEnd('\r'));
            if (d.Severity != ClangSeverity.Error)
                continue;
            if (d.File == ProbeFileName)
                failedLines.Add(d.Line);
            else
                otherErrors = true;
        }
        // A crash or an error clang did not print in the expected form: treat the source as broken, the real compile reports it.
        if (exitCode != 0 && failedLines.Count == 0)
            otherErrors = true;
        var kinds = new Dictionary<string, TypeKind?>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            TypeKind? found = null;
            for (var k = 0; k < TypeKinds.ProbeOrder.Length && found is null; k++)
                if (!failedLines.Contains(i * TypeKinds.ProbeOrder.Length + k + 1))
                    found = TypeKinds.ProbeOrder[k];
            kinds[names[i]] = found;
        }
        return new Outcome(otherErrors, kinds);
    }
}
