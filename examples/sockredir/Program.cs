using Ebpf.Examples.Sockredir.Commands;

return CommandLine.Run(args);
