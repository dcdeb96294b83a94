using Ebpf.Links;

namespace Ebpf.Build.Tasks.Tests;

/// <summary>Checks of the build-to-generator hand-off as docs/build-contract.md writes it down.</summary>
internal static class HandOff
{
    /// <summary>
    /// The generated analyzer config has a section for the object's base64 copy with every contract metadata,
    /// which is what the generator reads as build_metadata.AdditionalFiles.*.
    /// </summary>
    public static void AssertEditorConfig(TempProject project, string stem, string skeletonName)
    {
        var editorConfig = Path.Combine(project.Directory, "obj", "Debug", "net10.0", "App.GeneratedMSBuildEditorConfig.editorconfig");
        var text = File.ReadAllText(editorConfig);
        var b64 = Path.Combine(project.IntermediateBpf, stem + ".bpf.o.b64");
        var section = Section(text, b64);
        Assert.True(section != null, $"no [{b64}] section in {editorConfig}:\n{text}");
        Assert.Contains("build_metadata.AdditionalFiles.EbpfObject = true", section);
        Assert.Contains($"build_metadata.AdditionalFiles.EbpfSkeletonName = {skeletonName}", section);
        Assert.Contains($"build_metadata.AdditionalFiles.EbpfNamespace = {TempProject.RootNamespace}", section);
        Assert.Contains($"build_metadata.AdditionalFiles.EbpfResourceName = Ebpf.Objects.{stem}.bpf.o", section);
        Assert.Contains($"build_metadata.AdditionalFiles.EbpfSourceFile = {Path.Combine(project.Directory, stem + ".bpf.c")}", section);
    }

    private static string? Section(string editorConfig, string path)
    {
        var start = editorConfig.IndexOf("[" + path + "]", StringComparison.Ordinal);
        if (start < 0)
            return null;
        var end = editorConfig.IndexOf("\n[", start + 1, StringComparison.Ordinal);
        return end < 0 ? editorConfig[start..] : editorConfig[start..end];
    }
}
