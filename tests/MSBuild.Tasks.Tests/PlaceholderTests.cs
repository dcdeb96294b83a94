namespace Ebpf.Build.Tasks.Tests;
public class PlaceholderTests { [Fact] public void ProjectBuilds() => Assert.True(true); }
