using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;

namespace Ebpf;

/// <summary>A CGROUP_DEVICE program: device access control for a cgroup (cgroup/dev).</summary>
public sealed class CgroupDeviceProgram : BpfProgram
{
    internal CgroupDeviceProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }

    /// <summary>
    /// Attaches to the cgroup v2 directory <paramref name="cgroupPath"/> (absolute, or relative to the cgroup2
    /// mount) through a bpf_link, at the hook named by the program's section. Applies to the cgroup and its descendants.
    /// </summary>
    public BpfLink AttachCgroup(string cgroupPath) => CgroupAttach.Attach(this, cgroupPath);
}
