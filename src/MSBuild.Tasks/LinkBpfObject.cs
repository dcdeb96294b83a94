using Ebpf.Build.Clang;
using Ebpf.Build.Linking;
using Ebpf.Build.Types;
using Microsoft.Build.Framework;

namespace Ebpf.Build;

/// <summary>
/// Links the bitcode of the sources of one <c>Object</c> into one BPF object, with libbpf's static-linker
/// semantics (docs/build.md, "Several .c files in one object"): a symbol defined strongly in two sources is an
/// error naming both (checked here first, with llvm-nm, because llvm-link stops at the first and names no file);
/// then llvm-link joins the modules (externs resolved, <c>extern</c> map declarations bound to the definition, one
/// .rodata/.data/.bss) and llc writes the object, so BTF and CO-RE relocations are produced once, for the whole.
/// </summary>
public sealed class LinkBpfObject : ClangTaskBase, ICancelableTask
{
    private readonly CancellationTokenSource cancel = new();

    [Required]
    public ITaskItem[] Objects { get; set; } = [];

    /// <summary>All prepared sources; each object's are picked by their LinkedObject metadata.</summary>
    [Required]
    public ITaskItem[] Sources { get; set; } = [];

    public string ClangPath { get; set; } = "";
    public string LlvmLinkPath { get; set; } = "";
    public string LlcPath { get; set; } = "";
    public string LlvmNmPath { get; set; } = "";

    public void Cancel() => cancel.Cancel();

    public override bool Execute()
    {
        if (!TryGetSettings(out var settings))
            return false;
        foreach (var item in Objects)
        {
            if (cancel.IsCancellationRequested)
                break;
            var obj = LinkedObjectInfo.FromItem(item);
            var sources = Sources.Select(BpfSourceInfo.FromPreparedItem).Where(s => s.LinkedObject == obj.Name).ToList();
            if (!Link(settings, obj, sources))
            {
                File.Delete(obj.ObjectFile);
                File.Delete(obj.Base64File);
            }
        }
        return !Log.HasLoggedErrors;
    }

    private bool Link(ClangSettings settings, LinkedObjectInfo obj, List<BpfSourceInfo> sources)
    {
        Log.LogMessage(MessageImportance.High,
            $"Ebpf.Build: linking {obj.Name} ({string.Join(", ", obj.SourceFiles.Select(Path.GetFileName))})");
        var missing = new[] { ("llvm-link", LlvmLinkPath), ("llc", LlcPath), ("llvm-nm", LlvmNmPath) }.Where(t => t.Item2.Length == 0).Select(t => t.Item1).ToList();
        if (missing.Count != 0)
        {
            Log.LogError(null, BuildErrors.LinkFailed, null, obj.ItemProjectFile, 0, 0, 0, 0,
                $"Object '{LinkedObjectInfo.ObjectValue(obj.Name)}' links several sources, which needs {string.Join(", ", missing)} from the same LLVM as clang ('{ClangPath}'), " +
                "and they were not found beside it or as <tool>-<version> on PATH. Install the LLVM tools of that version (Debian/Ubuntu: `apt-get install llvm-14` for clang-14).");
            return false;
        }
        if (!CheckDuplicateSymbols(settings, obj) || !CheckMapDefinitions(settings, obj))
            return false;
        if (!RunTool(settings, obj, LlvmLinkPath, ["-o", obj.LinkedBitcodeFile, .. obj.BitcodeFiles], "llvm-link"))
            return false;
        if (!RunTool(settings, obj, LlcPath, ["-filetype=obj", "-O2", "-o", obj.ObjectFile, obj.LinkedBitcodeFile], "llc"))
            return false;
        var bytes = File.ReadAllBytes(obj.ObjectFile);
        if (!CheckTypes(settings, obj, sources, bytes))
            return false;
        File.WriteAllText(obj.Base64File, Convert.ToBase64String(bytes));
        return true;
    }

    /// <summary>A symbol defined (not weak) by two sources: libbpf's linker refuses it, and so do we, naming both files.</summary>
    private bool CheckDuplicateSymbols(ClangSettings settings, LinkedObjectInfo obj)
    {
        var definedBy = new Dictionary<string, int>(StringComparer.Ordinal);
        var ok = true;
        for (var i = 0; i < obj.BitcodeFiles.Count; i++)
        {
            var result = Run(settings, obj, LlvmNmPath, ["--defined-only", "--extern-only", obj.BitcodeFiles[i]]);
            if (result is null)
                return false;
            if (result.ExitCode != 0)
            {
                Log.LogError(null, BuildErrors.LinkFailed, null, obj.SourceFiles[i], 0, 0, 0, 0, $"llvm-nm failed on {obj.BitcodeFiles[i]}: {result.StandardError.Trim()}");
                return false;
            }
            foreach (var (name, strong) in NmSymbols.Parse(result.StandardOutput))
            {
                if (!strong)
                    continue;
                if (definedBy.TryGetValue(name, out var first))
                {
                    var a = Path.GetFileName(obj.SourceFiles[first]);
                    var b = Path.GetFileName(obj.SourceFiles[i]);
                    Log.LogError(null, BuildErrors.DuplicateSymbol, null, obj.SourceFiles[i], 0, 0, 0, 0,
                        $"'{name}' is defined in both {a} and {b}, which are linked into {obj.Name}. Keep one definition and declare it " +
                        $"'extern' in the other file (for a map: 'extern struct {{ ... }} {name} SEC(\".maps\");'), make it 'static' if each file should have its own, or mark one '__weak'.");
                    ok = false;
                    continue;
                }
                definedBy.Add(name, i);
            }
        }
        return ok;
    }

    /// <summary>
    /// An <c>extern</c> map declaration must say what the definition says (type, key, value, max_entries, flags, ...):
    /// llvm-link would bind it to the definition regardless. Each source's bitcode is run through llc alone (a temporary
    /// object, deleted right away) to read the map bodies its BTF records.
    /// </summary>
    private bool CheckMapDefinitions(ClangSettings settings, LinkedObjectInfo obj)
    {
        var entries = new List<MapDefinitions.Entry>();
        for (var i = 0; i < obj.BitcodeFiles.Count; i++)
        {
            var single = obj.BitcodeFiles[i] + ".o";
            try
            {
                if (!RunTool(settings, obj, LlcPath, ["-filetype=obj", "-O2", "-o", single, obj.BitcodeFiles[i]], "llc"))
                    return false;
                entries.AddRange(MapDefinitions.Read(obj.SourceFiles[i], File.ReadAllBytes(single)));
            }
            catch (Ebpf.Object.ObjectFormatException e)
            {
                // A map body libbpf would not accept either: the loader and the generator say so on the linked object.
                Log.LogMessage(MessageImportance.Low, $"Ebpf.Build: map definitions of {Path.GetFileName(obj.SourceFiles[i])} not compared: {e.Message}");
            }
            finally
            {
                File.Delete(single);
            }
        }
        var ok = true;
        foreach (var (declaration, reference, difference) in MapDefinitions.Mismatches(entries))
        {
            var here = Path.GetFileName(declaration.SourceFile);
            var there = Path.GetFileName(reference.SourceFile);
            Log.LogError(null, BuildErrors.MapMismatch, null, declaration.SourceFile, 0, 0, 0, 0,
                $"Map '{declaration.Name}' is declared extern in {here} with a body that differs from its {(reference.IsExtern ? "declaration" : "definition")} in {there} " +
                $"({difference}); both are linked into {obj.Name}. libbpf's linker rejects this too: give the extern declaration the same __uint/__type body, " +
                "for example from a header both files include.");
            ok = false;
        }
        return ok;
    }

    /// <summary>The Types names must be in the linked object's BTF: each source anchored the ones it defines.</summary>
    private bool CheckTypes(ClangSettings settings, LinkedObjectInfo obj, List<BpfSourceInfo> sources, byte[] bytes)
    {
        if (obj.Types.Count == 0)
            return true;
        Ebpf.Btf.BtfSpec? btf;
        try
        {
            btf = Ebpf.Object.ObjectSpec.Parse(bytes).Btf;
        }
        catch (Ebpf.Object.ObjectFormatException)
        {
            return true; // the generator reports a malformed object (EBPF002)
        }
        var unknown = obj.Types.Where(name => btf is null || !btf.FindByName(name).Any(t =>
            t is Ebpf.Btf.BtfComposite or Ebpf.Btf.BtfEnum || t.Kind == Ebpf.Btf.BtfKind.Typedef)).ToList();
        if (unknown.Count == 0)
            return true;
        UnknownTypes.Report(Log, ClangPath, settings, sources, unknown, cancel.Token);
        return false;
    }

    private bool RunTool(ClangSettings settings, LinkedObjectInfo obj, string tool, IReadOnlyList<string> args, string name)
    {
        Log.LogMessage(MessageImportance.Low, ClangCommandLine.Format(tool, args));
        var result = Run(settings, obj, tool, args);
        if (result is null)
            return false;
        if (result.ExitCode == 0)
            return true;
        var output = (result.StandardError + result.StandardOutput).Trim();
        Log.LogError(null, BuildErrors.LinkFailed, null, obj.SourceFiles.FirstOrDefault(), 0, 0, 0, 0,
            $"{name} failed linking {obj.Name} from {string.Join(", ", obj.SourceFiles.Select(Path.GetFileName))}: {output}");
        return false;
    }

    private ClangRunner.Result? Run(ClangSettings settings, LinkedObjectInfo obj, string tool, IReadOnlyList<string> args)
    {
        var result = ClangRunner.Run(tool, args, settings.ProjectDirectory, null, cancel.Token, out var startError);
        if (startError is not null)
            Log.LogError(null, BuildErrors.LinkFailed, null, obj.ItemProjectFile, 0, 0, 0, 0, $"Ebpf.Build: cannot run '{tool}' ({startError}).");
        return result;
    }
}
