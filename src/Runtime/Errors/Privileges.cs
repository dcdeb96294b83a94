using Ebpf.Internal;

namespace Ebpf.Errors;

/// <summary>
/// Explains EPERM/EACCES from bpf(2): which capability the operation needs, which of those the process lacks (its
/// effective set in /proc/self/status), who it runs as and what the unprivileged-BPF sysctl says, so the user can tell
/// "run as root" from "the container drops CAP_PERFMON" from "the kernel forbids this".
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
        var missing = Missing(neededCapabilities);
        if (missing is { Count: > 0 })
            text += $" and lacks {string.Join(" and ", missing)} (a container, a capability bounding set or setpriv dropped it; add it)";
        else if (missing is { Count: 0 })
            text += " and has them, so a security module or kernel lockdown refuses the operation";
        else if (euid == 0)
            text += " but lacks them (a container or capability bounding set may drop them), or a security module "
                  + "or kernel lockdown refuses the operation";
        if (euid != 0 && missing is not { Count: 0 })
            text += "; run it as root, or grant the capabilities, e.g. setcap cap_bpf,cap_net_admin,cap_perfmon+ep on the executable";
        var sysctl = UnprivilegedBpfDisabled();
        if (sysctl is not null && sysctl != "0")
            text += $" (kernel.unprivileged_bpf_disabled = {sysctl}: unprivileged processes may not use bpf(2) at all)";
        return text;
    }

    /// <summary>Capability numbers of linux/capability.h for the names these messages use.</summary>
    private static readonly (string Name, int Bit)[] Known =
        [("CAP_NET_ADMIN", 12), ("CAP_SYS_ADMIN", 21), ("CAP_PERFMON", 38), ("CAP_BPF", 39)];

    /// <summary>
    /// The capabilities named in <paramref name="needed"/> that the effective set lacks; null when the set cannot be read.
    /// CAP_SYS_ADMIN stands in for CAP_BPF and CAP_PERFMON, as the kernel lets it.
    /// </summary>
    private static List<string>? Missing(string needed)
    {
        if (EffectiveSet() is not { } effective)
            return null;
        bool Has(int bit) => (effective & (1UL << bit)) != 0;
        var admin = Has(21);
        return Known.Where(k => needed.Contains(k.Name, StringComparison.Ordinal))
            .Where(k => !Has(k.Bit) && !(admin && k.Name is "CAP_BPF" or "CAP_PERFMON"))
            .Select(k => k.Name).ToList();
    }

    /// <summary>The CapEff line of /proc/self/status (hexadecimal), or null.</summary>
    private static ulong? EffectiveSet()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("CapEff:", StringComparison.Ordinal))
                    return ulong.TryParse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.HexNumber, null, out var v) ? v : null;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    private static string? UnprivilegedBpfDisabled()
    {
        try { return File.ReadAllText("/proc/sys/kernel/unprivileged_bpf_disabled").Trim(); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
