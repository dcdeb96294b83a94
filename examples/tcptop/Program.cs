using Ebpf.Examples.Tcptop.Commands;

return CommandLine.Run(args);
