using Umt.Models.Weights;
using static TorchSharp.torch;

namespace Umt.Tests.TestSupport;

/// <summary>
/// The tiny training runs the data-parallel tests compare (over shared memory and over the
/// two-node TCP harness), and how they compare them: the weights and the logged losses of the last
/// checkpoint. Drop-path and the text encoder's dropout are off, since their draws are not keyed by sample.
/// </summary>
public static class DataParallelRuns
{
    /// <summary>The bound on the relative weight difference of 2 × b against 1 × 2b.</summary>
    public const double Tolerance = 1e-4;

    public static string[] Common(string runDirectory, int batch) =>
    [
        "--set", "Umt:Run:Steps=5", "--set", "Umt:Run:WarmupSteps=1", "--set", "Umt:Run:DataWorkers=1", "--set", "Umt:Run:LogEvery=1",
        "--set", "Umt:Run:CheckpointEvery=5", "--set", "Umt:Model:DropPath=0", "--set", $"Umt:Run:BatchSize={batch}", "--set", $"Umt:Run:OutputDir={runDirectory}",
    ];

    public static readonly string[] Alignment = ["--set", "Umt:Model:Frames=4"];

    public static readonly string[] MaePixels = ["--config", "configs/videomae.json", "--set", "Umt:Model:Frames=8"];

    public static readonly string[] Vtc =
    [
        "--config", "configs/umt-stage2.json", "--set", "Umt:Stage2:From=", "--set", "Umt:ImageDataset:Use=none",
        "--set", "Umt:Objectives:umt-alignment:Weight=0", "--set", "Umt:Objectives:vtm:Weight=0", "--set", "Umt:Objectives:mlm:Weight=0",
        "--set", "Umt:TextEncoder:Options:minilm:Dropout=0",
    ];

    public static string[] Recipe(string objective) => objective switch { "mae-pixels" => MaePixels, "vtc" => Vtc, _ => Alignment };

    public static Dictionary<string, Tensor> Model(string runDirectory) =>
        SafetensorsFile.Read(LastCheckpoint(runDirectory) + "/model.safetensors");

    /// <summary>The finished checkpoint of the highest step (by number, so 10 comes after 9; a killed job's <c>.partial-</c> folder is not one).</summary>
    public static string LastCheckpoint(string runDirectory) =>
        Directory.GetDirectories(runDirectory, "checkpoint-*")
            .Select(d => (Folder: d, Step: long.TryParse(Path.GetFileName(d)["checkpoint-".Length..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long step) ? step : -1))
            .Where(c => c.Step >= 0).MaxBy(c => c.Step).Folder
        ?? throw new InvalidOperationException($"{runDirectory} holds no finished checkpoint.");

    /// <summary>‖a − b‖ / ‖b‖ over every tensor of the model together, in float64.</summary>
    public static double RelativeDifference(Dictionary<string, Tensor> a, Dictionary<string, Tensor> b)
    {
        a.Keys.Should().BeEquivalentTo(b.Keys);
        double difference = 0, norm = 0;
        foreach (var (name, tensor) in b)
        {
            using var x = a[name].to(ScalarType.Float64);
            using var y = tensor.to(ScalarType.Float64);
            difference += (x - y).square().sum().item<double>();
            norm += y.square().sum().item<double>();
        }
        return Math.Sqrt(difference / norm);
    }

    public static List<double> Losses(string runDirectory) =>
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(LastCheckpoint(runDirectory) + "/state.json"))
            .RootElement.GetProperty("Losses").EnumerateArray().Select(e => e.GetDouble()).ToList();

    /// <summary>
    /// The process an MPI launcher started as <paramref name="rank"/> of the run writing to
    /// <paramref name="runDirectory"/> (its environment and command line say so), wherever the
    /// launcher put it: namespaces share this machine's process table.
    /// </summary>
    public static int RankProcess(int rank, string runDirectory)
    {
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                var environment = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                string commandLine = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (environment.Contains($"OMPI_COMM_WORLD_RANK={rank}") && commandLine.Contains("Umt.Runner.dll", StringComparison.Ordinal) && commandLine.Contains(runDirectory, StringComparison.Ordinal))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
                // a process that ended while we looked
            }
            catch (UnauthorizedAccessException)
            {
                // not ours
            }
        }
        throw new InvalidOperationException($"No process of rank {rank} found for {runDirectory}.");
    }
}
