using System.CommandLine;
using Ebpf;
using EbpfCgroup;

var cgroup = new Option<string>("--cgroup", "-g")
{
    Description = "The cgroup v2 directory whose processes' connects are counted, e.g. /sys/fs/cgroup/system.slice/nginx.service.",
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

var root = new RootCommand("Counts the connects of a cgroup's processes per protocol and destination, with cgroup/connect4 and cgroup/connect6 programs. Ctrl+C stops and prints the totals.")
{
    cgroup,
    interval,
};
root.SetAction(async (parse, cancel) =>
{
    var path = parse.GetValue(cgroup)!;
    if (!File.Exists(Path.Combine(path, "cgroup.procs")))
    {
        var mount = KernelMounts.Cgroup2Root;
        Console.Error.WriteLine(mount is null
            ? "EbpfCgroup: no cgroup2 file system is mounted; mount one (mount -t cgroup2 none /sys/fs/cgroup) and give a directory in it"
            : $"EbpfCgroup: {path} is not a cgroup v2 directory (it has no cgroup.procs); give a directory under the cgroup2 mount {mount}");
        return 1;
    }
    try
    {
        await ConnectCounter.RunAsync(path, TimeSpan.FromSeconds(parse.GetValue(interval)), Console.Out, cancel);
        return 0;
    }
    catch (BpfException e)
    {
        // The runtime's messages name the cause and the fix (not root, ...).
        Console.Error.WriteLine($"EbpfCgroup: {e.Message}");
        return 1;
    }
});
return await root.Parse(args).InvokeAsync();
