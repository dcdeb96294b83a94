using Ebpf.Examples.Tcptop.Commands;

return Cli.Run(args);
