namespace Ebpf.TestKit;

/// <summary>Where things are in the repository, found from the test binary's location.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> root = new(FindRoot);

    public static string Root => root.Value;
    public static string TestBpfSources => Path.Combine(Root, "tests", "bpf");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ebpf.slnx")))
                return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Ebpf.slnx) above " + AppContext.BaseDirectory);
    }
}
