using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests.AttachSupport;

/// <summary>bpftool as the independent oracle of what the kernel has attached (never used by the runtime).</summary>
internal static class Bpftool
{
    /// <summary>True when the kernel still has link <paramref name="id"/>.</summary>
    public static bool LinkExists(uint id) => HostCommand.Run("bpftool", "link", "show", "id", id.ToString()).Succeeded;

    /// <summary>`bpftool cgroup show PATH` output: one line per attached program.</summary>
    public static string CgroupShow(string path) => HostCommand.Check("bpftool", "cgroup", "show", path);

    /// <summary>The program ids attached to the kernel link list for this program id.</summary>
    public static string LinkList() => HostCommand.Check("bpftool", "link", "show");
}
