namespace Ebpf.Events;

/// <summary>
/// Receives one sample written by bpf_perf_event_output on <paramref name="cpu"/>. The span is valid only during
/// the call (it points into the ring, or a scratch copy of a record that wrapped); it may be longer than what the
/// program wrote, because the kernel pads raw samples to 8 bytes.
/// </summary>
public delegate void PerfSampleHandler(int cpu, ReadOnlySpan<byte> sample);

/// <summary>The kernel dropped <paramref name="lost"/> samples on <paramref name="cpu"/> because its ring was full.</summary>
public delegate void PerfLostHandler(int cpu, ulong lost);

/// <summary>One sample of a <see cref="PerfEventArrayReader"/> stream and the CPU it was written on.</summary>
public readonly record struct PerfSample<T>(int Cpu, T Value) where T : unmanaged;
