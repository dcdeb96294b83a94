namespace Ebpf.Generator { internal static class GeneratorPlaceholder { } }
