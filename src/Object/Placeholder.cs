namespace Ebpf.Object { internal static class ObjectPlaceholder { } }
