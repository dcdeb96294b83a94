namespace Ebpf.Examples.XdpProxy.Commands;

internal static class BenchCommand
{
    public static int Run(Args a) => throw new NotImplementedException();
}
