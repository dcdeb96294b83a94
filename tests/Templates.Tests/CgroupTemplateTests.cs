using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Ebpf.Build.Tasks.Tests;
using Ebpf.TestKit;

namespace Ebpf.Templates.Tests;

/// <summary>
/// ebpf-cgroup from the packed template: builds outside the repository, its own tests pass, and its app attached to a
/// cgroup this test creates counts exactly the connects of the process put in it, and none of the others.
/// </summary>
[Collection(TemplateRuns.Name)]
public sealed class CgroupTemplateTests(TemplatePackages packages)
{
    private const int TcpConnects = 3;

    [Fact]
    public void A_new_cgroup_project_builds_passes_its_tests_and_counts_the_connects_in_a_cgroup()
    {
        Kernel.RequireRoot();
        using var instance = packages.Instantiate("ebpf-cgroup", "Acme.ConnectCount");
        instance.AssertReferencesPackagesAt(packages.Version);
        instance.Build();
        Assert.True(instance.Test() >= 1, "the template's test project has tests");

        using var cgroup = new TempCgroup("tc");
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        try
        {
            var tcpPort = ((IPEndPoint)listener.LocalEndpoint).Port;
            var udpPort = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
            using var app = RunningApp.Start(DotnetCli.DotnetPath(), instance.AppDll, "--cgroup", cgroup.Path, "--interval", "1");
            app.WaitForLine(l => l.StartsWith($"Counting connects in {cgroup.Path}", StringComparison.Ordinal),
                            TimeSpan.FromSeconds(60), "that it attached");

            cgroup.Run("bash", "-c",
                       $"for i in $(seq {TcpConnects}); do exec 3<>/dev/tcp/127.0.0.1/{tcpPort}; exec 3>&-; done; printf x > /dev/udp/127.0.0.1/{udpPort}")
                  .EnsureSuccess();
            // This process is not in the cgroup: its connect is not counted.
            using (var outside = new TcpClient())
                outside.Connect(IPAddress.Loopback, tcpPort);
            app.WaitForLine(l => Regex.IsMatch(l, $@"^\s*TCP\s+127\.0\.0\.1:{tcpPort}\s+{TcpConnects}\s*$"), TimeSpan.FromSeconds(30),
                            $"{TcpConnects} TCP connects in a periodic table");
            Assert.Equal(0, app.Terminate(TimeSpan.FromSeconds(30)));

            var totals = app.Lines.SkipWhile(l => !l.StartsWith("Totals after", StringComparison.Ordinal)).Skip(2)
                            .Select(l => Regex.Replace(l.Trim(), @"\s+", " ")).ToList();
            Assert.Equal([$"TCP 127.0.0.1:{tcpPort} {TcpConnects}", $"UDP 127.0.0.1:{udpPort} 1"], totals);
        }
        finally
        {
            listener.Stop();
        }
    }
}
