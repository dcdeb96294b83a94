// Usage: Ebpf.AttachChild <netns file> <interface in that namespace> <cgroup path>
// Attaches attach_xdp_pass (native XDP) to the interface and attach_sockops to the cgroup, prints
// "READY <xdp prog id> <xdp link id> <sockops prog id> <cgroup link id>" and waits to be killed.
// Usage: Ebpf.AttachChild pinned-map <object path> <pin dir>: see PinnedMapMode.cs.
using System.Runtime.InteropServices;
using Ebpf;
using Ebpf.AttachChild;
using Ebpf.Links;
using Ebpf.Programs;
using Ebpf.TestKit;

if (args.Length == 3 && args[0] == PinnedMapMode.Name)
    return PinnedMapMode.Run(args[1], args[2]);
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: Ebpf.AttachChild <netns file> <interface> <cgroup path>");
    Console.Error.WriteLine($"   or: Ebpf.AttachChild {PinnedMapMode.Name} <object path> <pin dir>");
    return 2;
}

// Join the namespace on this thread only: the XDP attach below runs on the same thread.
using (var ns = File.OpenHandle(args[0]))
    if (Native.setns(ns.DangerousGetHandle().ToInt32(), 0x40000000 /* CLONE_NEWNET */) != 0)
    {
        Console.Error.WriteLine($"setns {args[0]}: errno {Marshal.GetLastPInvokeError()}");
        return 1;
    }

// The public API, as an application uses it.
var obj = BpfObject.OpenFile(TestObjects.Compile("attach_net.bpf.c"));
obj.Load();
var xdp = obj.GetProgram<XdpProgram>("attach_xdp_pass");
var sockops = obj.GetProgram<SockOpsProgram>("attach_sockops");
var xdpLink = xdp.AttachXdp(args[1], XdpAttachMode.Native);
var cgroupLink = sockops.AttachCgroup(args[2]);
Console.WriteLine($"READY {xdp.Id} {xdpLink.Id} {sockops.Id} {cgroupLink.Id}");
Console.Out.Flush();
Thread.Sleep(Timeout.Infinite);
GC.KeepAlive(new object[] { obj, xdpLink, cgroupLink });
return 0;

internal static partial class Native
{
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int setns(int fd, int nstype);
}
