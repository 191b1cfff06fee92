using System.Text.Json.Nodes;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Training;
using Umt.Tests.TestSupport;
using static TorchSharp.torch;

namespace Umt.Tests.Runner;

/// <summary>A damaged, tampered or inconsistent checkpoint is never loaded: the store falls back to the previous usable one and says why.</summary>
public sealed class CheckpointIntegrityTests
{
    private static string Save(CheckpointStore store, long step, int keep = 5)
    {
        using var scope = NewDisposeScope();
        var model = new Dictionary<string, Tensor> { ["encoder.w"] = full(4, 4, (float)step) };
        var optimizer = new Dictionary<string, Tensor> { ["state.0.exp_avg"] = full(4, 4, 0.5f * step) };
        var state = new TrainingState { Step = step, Losses = [.. Enumerable.Repeat(1.0, (int)step)] };
        return store.Save(state, model, optimizer, new Dictionary<string, string> { ["parameters"] = "encoder.w" }, keep);
    }

    private static void EditState(string checkpoint, Action<JsonObject> edit)
    {
        string path = Path.Combine(checkpoint, CheckpointStore.StateFile);
        var state = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(state);
        File.WriteAllText(path, state.ToJsonString());
    }

    [Theory]
    [InlineData(CheckpointStore.ModelFile)]
    [InlineData(CheckpointStore.OptimizerFile)]
    public void A_flipped_data_byte_makes_the_checkpoint_unusable_and_the_previous_one_is_used(string file)
    {
        using var temp = new TemporaryDirectory();
        var store = new CheckpointStore(temp.Path);
        Save(store, 10);
        string newest = Save(store, 20);
        string damaged = Path.Combine(newest, file);
        byte[] bytes = File.ReadAllBytes(damaged);
        bytes[^3] ^= 0x40; // inside the last tensor's data: the header still parses
        File.WriteAllBytes(damaged, bytes);

        var search = store.Find();
        search.Checkpoint!.State.Step.Should().Be(10);
        search.PassedOver.Should().ContainSingle().Which.Should().Be(new PassedOverCheckpoint(newest,
            $"{file} does not match the SHA-256 recorded in state.json: it was damaged or changed after it was written"));
    }

    [Theory]
    [InlineData("Step", -5)]
    [InlineData("Step", 1e15)]
    [InlineData("Step", 19)]
    [InlineData("Epoch", -1)]
    [InlineData("Offset", -1)]
    [InlineData("GlobalBatch", -4)]
    [InlineData("ImageOffset", -1)]
    public void An_impossible_state_makes_the_checkpoint_unusable(string key, double value)
    {
        using var temp = new TemporaryDirectory();
        var store = new CheckpointStore(temp.Path);
        Save(store, 10);
        EditState(Save(store, 20), state => state[key] = JsonValue.Create((long)value));

        var search = store.Find();
        search.Checkpoint!.State.Step.Should().Be(10);
        search.PassedOver.Should().ContainSingle().Which.Reason.Should().StartWith("state.json is inconsistent: ").And.Contain(key);
    }

    [Fact]
    public void Losses_that_do_not_match_the_step_make_the_checkpoint_unusable()
    {
        using var temp = new TemporaryDirectory();
        var store = new CheckpointStore(temp.Path);
        Save(store, 10);
        EditState(Save(store, 20), state => state["Losses"] = new JsonArray(1.0, 2.0));

        store.Latest()!.State.Step.Should().Be(10);
    }

    [Theory]
    [InlineData("../outside/checkpoint-50")]
    [InlineData("ABSOLUTE")]
    [InlineData("checkpoint-50")] // a symlink inside the run folder whose target lies outside it
    public void Latest_naming_anything_but_a_checkpoint_folder_inside_the_run_folder_is_ignored(string named)
    {
        using var temp = new TemporaryDirectory();
        string run = temp.Combine("run");
        var store = new CheckpointStore(run);
        Save(store, 10);
        Save(store, 20);
        // A complete, valid checkpoint outside the run folder.
        Save(new CheckpointStore(temp.Combine("outside")), 50);
        if (named == "checkpoint-50")
        {
            Directory.CreateSymbolicLink(Path.Combine(run, "checkpoint-50"), temp.Combine("outside", "checkpoint-50"));
        }
        File.WriteAllText(Path.Combine(run, CheckpointStore.LatestFile), (named == "ABSOLUTE" ? temp.Combine("outside", "checkpoint-50") : named) + "\n");

        var search = store.Find();
        search.Checkpoint!.Directory.Should().Be(Path.Combine(run, "checkpoint-20"));
        if (named == "checkpoint-50")
        {
            search.PassedOver.Should().ContainSingle().Which.Reason.Should().Contain("a link to").And.Contain("outside the run folder");
        }
        else
        {
            search.LatestProblem.Should().Contain("not a checkpoint-<step> folder inside the run folder");
        }
    }

    [Fact]
    public void Saving_over_an_unusable_checkpoint_of_the_same_step_keeps_its_files()
    {
        using var temp = new TemporaryDirectory();
        var store = new CheckpointStore(temp.Path);
        Save(store, 10, keep: 2);
        string newest = Save(store, 20, keep: 2);
        File.WriteAllText(Path.Combine(newest, CheckpointStore.StateFile), "{ not json");

        store.Latest()!.State.Step.Should().Be(10);
        Save(store, 20, keep: 2);
        Save(store, 30, keep: 2);
        Save(store, 40, keep: 2);

        Directory.GetFiles(temp.Path, CheckpointStore.StateFile, SearchOption.AllDirectories)
            .Should().Contain(f => File.ReadAllText(f) == "{ not json", "the run never destroys a checkpoint it could not read");
    }
}
