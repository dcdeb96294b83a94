namespace Ebpf; internal static class RuntimePlaceholder { }
