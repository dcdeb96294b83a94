using Ebpf.TestKit;

namespace Ebpf.Deploy.Tests;

/// <summary>
/// The capability trial, on the host binaries: each agent, run with its manifest's args and exactly the capabilities
/// its manifest adds (setpriv's bounding set, as --cap-drop all --cap-add ... gives a container), starts and serves its
/// endpoint; with any one of them dropped it exits with an error that names the missing capability, not a stack trace.
/// </summary>
[Collection(nameof(KernelState))]
public sealed class HostCapabilityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Agents() => new(Manifests.Agents);

    public static TheoryData<string, string> EachCapability()
    {
        var data = new TheoryData<string, string>();
        foreach (var agent in Manifests.Agents)
            foreach (var cap in Manifests.Container(agent).SecurityContext.Capabilities.Add)
                data.Add(agent, cap);
        return data;
    }

    [Theory, MemberData(nameof(Agents))]
    public async Task The_manifest_capabilities_are_enough(string agent)
    {
        Kernel.RequireRoot();
        using var runs = new AgentRuns();
        var caps = Manifests.Container(agent).SecurityContext.Capabilities.Add;
        using var run = new AgentProcess(agent, caps, runs.Args(agent));
        var (_, _, path, readyPath) = AgentFacts.Endpoints[agent];
        var url = $"http://127.0.0.1:{runs.Port}{path}";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        HttpResponseMessage? response = null;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < until && !run.HasExited)
        {
            try
            {
                response = await http.GetAsync(url, Ct);
                if (response.IsSuccessStatusCode)
                    break;
            }
            catch (HttpRequestException) { }
            await Task.Delay(500, Ct);
        }
        Assert.False(run.HasExited, $"{agent} exited with capabilities {string.Join(',', caps)}:\n{run.Transcript}");
        Assert.NotNull(response);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {body}\n{run.Transcript}");
        if (agent == "mesh-accel")
        {
            // attached, but its API server never answers: live, not ready
            using var ready = await http.GetAsync($"http://127.0.0.1:{runs.Port}{readyPath}", Ct);
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.StartsWith("not ready: programs attached, but the first pod set is not in the maps yet", await ready.Content.ReadAsStringAsync(Ct));
        }
        run.Terminate();
        Assert.True(run.WaitForExit(TimeSpan.FromSeconds(Manifests.DaemonSet(agent).Spec.Template.Spec.TerminationGracePeriodSeconds!.Value)),
            $"{agent} did not stop within the manifest's grace period:\n{run.Transcript}");
        Assert.Equal(0, run.ExitCode);
    }

    [Theory, MemberData(nameof(EachCapability))]
    public void Without_any_one_capability_the_agent_names_it(string agent, string dropped)
    {
        Kernel.RequireRoot();
        using var runs = new AgentRuns();
        var caps = Manifests.Container(agent).SecurityContext.Capabilities.Add.Where(c => c != dropped).ToArray();
        using var run = new AgentProcess(agent, caps, runs.Args(agent));
        Assert.True(run.WaitForExit(TimeSpan.FromSeconds(90)), $"{agent} without CAP_{dropped} still runs:\n{run.Transcript}");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("CAP_" + dropped, run.Transcript);
        Assert.Matches($"lacks CAP_{dropped}|CAP_{dropped}, which the process lacks", run.Transcript);
        Assert.DoesNotContain("unexpected error", run.Transcript);
        Assert.DoesNotContain("   at ", run.Transcript);
    }
}
