using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Umt.Runner.Cli;

/// <summary>
/// <c>--help</c> that teaches (issue 19): after System.CommandLine's help of a verb, one command
/// line that runs it, on the embedded default or the repository's configs, so a new user can copy
/// it. One table keyed by the verb's path keeps every example in one place; a test checks that
/// every verb has one.
/// </summary>
public static class CommandExamples
{
    public static readonly IReadOnlyDictionary<string, string> ByVerb = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [""] = "umt train --config configs/videomae.json --set Umt:Run:Steps=20",
        ["train"] = "umt train --set Umt:Masking:Use=random --set Umt:Run:OutputDir=runs/random",
        ["validate"] = "umt validate --config configs/umt-b16-k710.json --json",
        ["plugins"] = "umt plugins --json",
        ["doctor"] = "umt doctor",
        ["bench"] = "umt bench --steps 40 --rounds 2 --json",
        ["bench data"] = "umt bench data --config runs/synth/kinetics.json --batches 2 --json",
        ["bench teacher"] = "umt bench teacher --rounds 3",
        ["teacher"] = "umt teacher eval --images 200",
        ["teacher train"] = "umt teacher train --config configs/teacher-tiny-clip.json",
        ["teacher eval"] = "umt teacher eval --images 200 --json",
        ["teacher features"] = "umt teacher features --input clip.safetensors --out features.safetensors",
        ["teacher init"] = "umt teacher init --preset b16 --out weights/clip-b16-random.safetensors",
        ["mask"] = "umt mask --video clip.mp4 --draws 100 --out runs/mask --set Umt:Masking:Use=tube",
        ["data"] = "umt data synth --out runs/synth --clips 16",
        ["data synth"] = "umt data synth --out runs/synth --clips 64 --images 64",
        ["data verify"] = "umt data verify runs/synth/kinetics_train.csv --root runs/synth --dataset kinetics",
        ["extract"] = "umt extract --checkpoint runs/default --input videos/ --out runs/features",
        ["eval"] = "umt eval probe --checkpoint runs/default",
        ["eval probe"] = "umt eval probe --checkpoint runs/default --train 256 --test 128 --json",
        ["eval retrieval"] = "umt eval retrieval --checkpoint runs/stage2 --test 256 --rerank 16",
        ["eval qa"] = "umt eval qa --checkpoint runs/stage2 --test 256",
        ["eval detection"] = "umt eval detection --groundtruth ava_val_v2.2.csv --detections detections.csv --labelmap ava_action_list_v2.2_for_activitynet_2019.pbtxt --exclusions ava_val_excluded_timestamps_v2.2.csv --json",
        ["compare"] = "umt compare --quick --out runs/compare",
        ["finetune"] = "umt finetune --checkpoint runs/default --label motion --steps 100 --out runs/finetune",
        ["convert"] = "umt convert export runs/default --out student.pth",
        ["convert import"] = "umt convert import umt_b16_k710.pth --out weights/umt-b16.safetensors --config configs/umt-b16-k710.json",
        ["convert export"] = "umt convert export runs/default --out student.pth",
        ["distributed"] = "mpirun -np 2 umt distributed check --set Umt:Distributed:Backend=mpi",
        ["distributed check"] = "mpirun -np 2 umt distributed check --set Umt:Distributed:Backend=mpi --json",
        ["completion"] = "source <(umt completion bash)",
        ["completion bash"] = "umt completion bash > /etc/bash_completion.d/umt",
    };

    /// <summary>The verb's path under the root: <c>""</c> for <c>umt</c> itself, <c>"eval probe"</c>.</summary>
    public static string PathOf(Command command)
    {
        var names = new List<string>();
        for (var current = command; current.Parents.OfType<Command>().FirstOrDefault() is { } parent; current = parent)
        {
            names.Insert(0, current.Name);
        }
        return string.Join(' ', names);
    }

    /// <summary>Replaces the help option's action with one that appends the verb's example.</summary>
    public static void AddTo(Command root)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new ExampleHelpAction((HelpAction)help.Action!);
    }

    private sealed class ExampleHelpAction(HelpAction help) : SynchronousCommandLineAction
    {
        /// <summary>As System.CommandLine's own help: <c>umt data verify --help</c> needs no manifest.</summary>
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var configuration = parseResult.InvocationConfiguration;
            var output = configuration.Output;
            var written = new StringWriter();
            int code;
            configuration.Output = written;
            try
            {
                code = help.Invoke(parseResult);
            }
            finally
            {
                configuration.Output = output;
            }
            output.Write(Placeholders.OptionalValues(parseResult.CommandResult.Command, written.ToString()));
            if (ByVerb.TryGetValue(PathOf(parseResult.CommandResult.Command), out string? example))
            {
                output.WriteLine("Example:");
                output.WriteLine($"  {example}");
                output.WriteLine();
            }
            return code;
        }
    }
}
