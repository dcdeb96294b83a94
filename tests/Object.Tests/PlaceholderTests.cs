namespace Ebpf.Object.Tests;
public class PlaceholderTests { [Fact] public void ProjectBuilds() => Assert.True(true); }
