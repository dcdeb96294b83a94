using System.CommandLine;
using Ebpf.Examples.Cli;
using Ebpf.Examples.MeshAccel.Mesh;

namespace Ebpf.Examples.MeshAccel.Commands;

/// <summary>`mesh-accel COMMAND ...`: the command tree (System.CommandLine), and failures as one-line errors.</summary>
internal static class CommandLine
{
    public static RootCommand Build() =>
        AppCli.Root("mesh-accel: Istio's sidecar interception (istio-iptables' REDIRECT rules) done with eBPF socket hooks, Merbridge-style",
            RunCommand.Build(), LabCommand.Build(), StatsCommand.Build(), UninstallCommand.Build(), BenchCommand.Build(), ProbeCommand.Build());

    public static int Run(string[] args) => AppCli.Run(Build(), args, "mesh-accel", Explain);

    /// <summary>The failures a user can act on, as one line; null for the unexpected ones (printed whole).</summary>
    private static string? Explain(Exception e) => e switch
    {
        ToolException or PodSpecException or BpfException or IOException or UsageException => e.Message,
        UnauthorizedAccessException => $"{e.Message} (run as root: mesh-accel loads BPF programs and manages cgroups and namespaces)",
        _ => null,
    };

    /// <summary>Every command but `probe` changes the kernel: root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN) first, with a clear message.</summary>
    public static void RequireRoot(string command)
    {
        if (!Environment.IsPrivilegedProcess)
            throw new ToolException($"`mesh-accel {command}` must run as root: it loads BPF programs, attaches them to cgroups and pins them (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN); try sudo mesh-accel {command} ...");
    }
}
