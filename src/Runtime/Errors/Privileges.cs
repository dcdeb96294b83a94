using Ebpf.Internal;

namespace Ebpf.Errors;

/// <summary>
/// Explains EPERM/EACCES from bpf(2): which capability the operation needs, who the process runs as and what
/// the unprivileged-BPF sysctl says, so the user can tell "run as root" from "the kernel forbids this".
/// </summary>
internal static class Privileges
{
    /// <summary>Capabilities an operation needs, e.g. "CAP_BPF and CAP_NET_ADMIN".</summary>
    public static string Explain(string neededCapabilities)
    {
        var uid = Libc.GetUid();
        var euid = Libc.GetEuid();
        var who = uid == euid ? $"uid {uid}" : $"uid {uid}, euid {euid}";
        var text = $"this needs {neededCapabilities} (or CAP_SYS_ADMIN on kernels before 5.8); the process runs as {who}";
        if (euid == 0)
            text += " but lacks them (a container or capability bounding set may drop them), or a security module "
                  + "or kernel lockdown refuses the operation";
        else
            text += "; run it as root, or grant the capabilities, e.g. setcap cap_bpf,cap_net_admin,cap_perfmon+ep on the executable";
        var sysctl = UnprivilegedBpfDisabled();
        if (sysctl is not null && sysctl != "0")
            text += $" (kernel.unprivileged_bpf_disabled = {sysctl}: unprivileged processes may not use bpf(2) at all)";
        return text;
    }

    private static string? UnprivilegedBpfDisabled()
    {
        try { return File.ReadAllText("/proc/sys/kernel/unprivileged_bpf_disabled").Trim(); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
