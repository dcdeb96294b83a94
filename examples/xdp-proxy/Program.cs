using Ebpf.Examples.XdpProxy.Commands;

return CommandLine.Run(args);
