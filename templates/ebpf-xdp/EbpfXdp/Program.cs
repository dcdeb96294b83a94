using System.CommandLine;
using Ebpf;
using EbpfXdp;

var iface = new Option<string>("--iface", "-i")
{
    Description = "The network interface whose received packets are counted (e.g. eth0).",
    Required = true,
};
var interval = new Option<int>("--interval")
{
    Description = "Print the counts every N seconds as well; 0 prints them only when stopped.",
    DefaultValueFactory = _ => 0,
};
interval.Validators.Add(r =>
{
    if (r.GetValueOrDefault<int>() < 0)
        r.AddError("--interval must be 0 or more seconds.");
});

var root = new RootCommand("Counts the packets and bytes an interface receives, per protocol, with an XDP program. Ctrl+C stops and prints the totals.")
{
    iface,
    interval,
};
root.SetAction(async (parse, cancel) =>
{
    try
    {
        await PacketCounter.RunAsync(parse.GetValue(iface)!, TimeSpan.FromSeconds(parse.GetValue(interval)), Console.Out, cancel);
        return 0;
    }
    catch (BpfException e)
    {
        // The runtime's messages name the cause and the fix (not root, no such interface, ...).
        Console.Error.WriteLine($"EbpfXdp: {e.Message}");
        return 1;
    }
});
return await root.Parse(args).InvokeAsync();
