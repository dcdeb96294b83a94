namespace Ebpf.Events;

/// <summary>
/// Receives one ring buffer record. The span points into the shared ring and is valid only during the call: the
/// space is handed back to the kernel when the handler returns. Copy what you keep.
/// </summary>
public delegate void RingBufRecordHandler(ReadOnlySpan<byte> record);
