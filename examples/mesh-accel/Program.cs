using Ebpf.Examples.MeshAccel.Commands;

return CommandLine.Run(args);
