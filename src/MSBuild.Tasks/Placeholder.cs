namespace Ebpf.Build; internal static class TasksPlaceholder { }
