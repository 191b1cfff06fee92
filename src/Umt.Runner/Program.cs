using Umt.Runner.Cli;

// Composition root: the command line builds the configuration, logger, plugin catalog and run
// plan through DI (RunnerServices) for the verb being run. SIGINT, SIGTERM and SIGHUP stop it at
// the next step boundary (StopSignals).
using var signals = StopSignals.Install(Console.Error);
return signals.ExitCodeFor(UmtCommandLine.Invoke(args, Console.Out, Console.Error, signals.Token));
