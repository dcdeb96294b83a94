using Ebpf.Btf;

namespace Ebpf.Examples.Tcptop.Kernel;

/// <summary>
/// Checks the kernel's BTF for the tracepoints tcptop needs before loading anything, so an old kernel gets one
/// sentence naming what is missing and the kernel that has it, not a verifier or attach error.
/// </summary>
internal static class KernelSupport
{
    public const string DefaultBtf = "/sys/kernel/btf/vmlinux";

    /// <summary>tp_btf target (its btf_trace_ typedef), and the first Linux release that has it.</summary>
    private static readonly (string Tracepoint, string Since)[] Required =
    [
        ("sock_send_length", "6.3"),
        ("sock_recv_length", "6.3"),
        ("inet_sock_set_state", "4.16"),
        ("tcp_retransmit_skb", "4.15"),
        ("sched_process_exit", "2.6.31"),
        ("sched_process_exec", "3.4"),
        ("cgroup_attach_task", "4.13"),
    ];

    public static void Check(string? btfPath)
    {
        var path = btfPath ?? DefaultBtf;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolException($"cannot read the kernel's BTF at {path} ({e.Message}): tcptop needs a kernel built with CONFIG_DEBUG_INFO_BTF (Linux 6.3 or later)");
        }
        BtfSpec btf;
        try
        {
            btf = BtfSpec.Parse(bytes);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ToolException($"{path} is not valid BTF ({e.Message})");
        }
        var missing = Required.Where(r => !btf.FindByName("btf_trace_" + r.Tracepoint).Any()).ToArray();
        if (missing.Length > 0)
            throw new ToolException(
                $"this kernel has no {string.Join(", ", missing.Select(m => $"{m.Tracepoint} tracepoint (Linux {m.Since}+)"))} " +
                $"(checked {path}): tcptop counts bytes at the sock_send_length/sock_recv_length tracepoints and needs Linux 6.3 or later");
    }
}
