using System.CommandLine;
using Ebpf.Examples.MeshAccel.Mesh;

namespace Ebpf.Examples.MeshAccel.Commands;

/// <summary>`mesh-accel COMMAND ...`: the command tree (System.CommandLine), and failures as one-line errors.</summary>
internal static class CommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("mesh-accel: Istio's sidecar interception (istio-iptables' REDIRECT rules) done with eBPF socket hooks, Merbridge-style");
        root.Add(RunCommand.Build());
        root.Add(LabCommand.Build());
        root.Add(StatsCommand.Build());
        root.Add(UninstallCommand.Build());
        root.Add(ProbeCommand.Build());
        return root;
    }

    public static int Run(string[] args)
    {
        try
        {
            return Build().Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is ToolException or PodSpecException or BpfException or IOException)
        {
            return Fail(e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            return Fail($"{e.Message} (run as root: mesh-accel loads BPF programs and manages cgroups and namespaces)");
        }
    }

    public static int Fail(string message)
    {
        Console.Error.WriteLine($"mesh-accel: {message}");
        return 1;
    }

    /// <summary>Every command but `probe` changes the kernel: root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN) first, with a clear message.</summary>
    public static void RequireRoot(string command)
    {
        if (!Environment.IsPrivilegedProcess)
            throw new ToolException($"`mesh-accel {command}` must run as root: it loads BPF programs, attaches them to cgroups and pins them (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN); try sudo mesh-accel {command} ...");
    }
}
