using Ebpf.Build.Clang;
using Microsoft.Build.Utilities;

namespace Ebpf.Build;

/// <summary>The project-wide clang inputs that both <see cref="PrepareBpfSources"/> and <see cref="CompileBpfSource"/> receive.</summary>
public abstract class ClangTaskBase : Microsoft.Build.Utilities.Task
{
    /// <summary>The project folder; clang runs there and debug info names files relative to it.</summary>
    [Microsoft.Build.Framework.Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary><c>BpfTargetEndianness</c>: bpfel (default) or bpfeb.</summary>
    public string TargetEndianness { get; set; } = "bpfel";

    /// <summary><c>BpfTargetArch</c>: the __TARGET_ARCH_ suffix; empty = the build machine's.</summary>
    public string? TargetArch { get; set; }

    /// <summary><c>BpfCFlags</c>: extra flags for every source.</summary>
    public string? CFlags { get; set; }

    /// <summary>Folder of the generated vmlinux.h; empty when it is not generated.</summary>
    public string? VmlinuxDirectory { get; set; }

    private protected bool TryGetSettings(out ClangSettings settings)
    {
        settings = null!;
        var target = string.IsNullOrWhiteSpace(TargetEndianness) ? "bpfel" : TargetEndianness.Trim();
        if (target is not ("bpfel" or "bpfeb" or "bpf"))
        {
            Log.LogError(null, BuildErrors.BadEndianness, null, null, 0, 0, 0, 0, $"BpfTargetEndianness is '{target}': use bpfel (little-endian, the default) or bpfeb (big-endian).");
            return false;
        }
        settings = ClangSettings.ForHost(ProjectDirectory, target, TargetArch, CFlags, VmlinuxDirectory);
        return true;
    }
}
