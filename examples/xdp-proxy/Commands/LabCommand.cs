using Ebpf.Examples.XdpProxy.Lab;

namespace Ebpf.Examples.XdpProxy.Commands;

internal static class LabCommand
{
    public static int Run(Args a)
    {
        var lab = new LabNetwork(new LabLayout(a.Option("--prefix") ?? LabLayout.DefaultPrefix));
        switch (a.Positional(1))
        {
            case "up":
                lab.Up();
                Console.Write(lab.Describe());
                return 0;
            case "down":
                var removed = lab.Down();
                Console.WriteLine(removed.Count == 0
                    ? $"lab '{lab.Layout.Prefix}': nothing to remove"
                    : $"lab '{lab.Layout.Prefix}': removed namespaces {string.Join(", ", removed)}");
                return 0;
            default:
                throw new UsageException("lab wants `up` or `down`");
        }
    }
}
