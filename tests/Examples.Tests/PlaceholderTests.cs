namespace Ebpf.Examples.Tests;
public class PlaceholderTests { [Fact] public void ProjectBuilds() => Assert.True(true); }
