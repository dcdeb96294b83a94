using System.Collections.Concurrent;
using System.Diagnostics;
using Ebpf.TestKit;

namespace Ebpf.Deploy.Tests;

/// <summary>
/// A host agent (`dotnet examples/AGENT/.../AGENT.dll ARGS`) started under setpriv with a capability bounding set of
/// exactly <c>capabilities</c> (as root, that is then its permitted and effective set: what a container with
/// --cap-drop all --cap-add ... gets). Output collected line by line; Dispose kills it if it still runs.
/// </summary>
internal sealed class AgentProcess : IDisposable
{
    private readonly ConcurrentQueue<string> output = new();
    private readonly Process process;

    public AgentProcess(string agent, IEnumerable<string> capabilities, params string[] args)
    {
        var bounding = "-all" + string.Concat(capabilities.Select(c => ",+" + c.ToLowerInvariant()));
        process = HostCommand.Start("setpriv", ["--bounding-set=" + bounding, "--inh-caps=-all", "dotnet", AgentBinary.Dll(agent), .. args]);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
    }

    public string Transcript => string.Join('\n', output);
    public bool HasExited => process.HasExited;
    public int ExitCode => process.ExitCode;

    public bool WaitForLine(string text, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!output.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            if (process.HasExited || DateTime.UtcNow > until)
                return output.Any(l => l.Contains(text, StringComparison.Ordinal));
            Thread.Sleep(100);
        }
        return true;
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
            return false;
        process.WaitForExit();
        return true;
    }

    /// <summary>SIGTERM, as the kubelet stops a container.</summary>
    public void Terminate() => HostCommand.Run("kill", "-TERM", process.Id.ToString());

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException) { }
        process.Dispose();
    }
}
