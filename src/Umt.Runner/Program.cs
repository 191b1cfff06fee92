using Umt.Runner.Cli;

// Composition root: the command line builds the configuration, logger, plugin catalog and run
// plan through DI (RunnerServices) for the verb being run. SIGINT, SIGTERM and SIGHUP stop it at
// the next step boundary (StopSignals). The process ends through ProcessEnd, never by returning:
// libc's exit would run libtorch's static destructors under threads still inside libtorch.
var signals = StopSignals.Install(Console.Error);
ProcessEnd.Exit(signals.ExitCodeFor(UmtCommandLine.Invoke(args, Console.Out, Console.Error, signals.Token)));
