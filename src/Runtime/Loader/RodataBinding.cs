using Ebpf.Internal;
using Ebpf.Maps;

namespace Ebpf.Loader;

/// <summary>
/// BPF_PROG_BIND_MAP of the object's .rodata to each program, as libbpf does: the map then lives as long as the
/// program and shows in its map ids even when the program reads no constant, which is how bpftool finds
/// `bpf_metadata_*` variables. Best effort: kernels before 5.10 lack the command, and nothing depends on it.
/// </summary>
internal static class RodataBinding
{
    /// <summary>The map libbpf binds: that of the last read-only data section in section order (".rodata" when it is the only one).</summary>
    public static BpfMap? Choose(IReadOnlyList<BpfMap> maps) =>
        maps.LastOrDefault(m => m.Spec.DataSection?.Kind == Object.DataSectionKind.ReadOnly);

    public static void Bind(BpfFd program, BpfMap? rodata)
    {
        if (rodata is null || !rodata.IsCreated)
            return;
        _ = Sys.ProgBindMap(program, rodata.Handle);
        GC.KeepAlive(rodata);
    }
}
