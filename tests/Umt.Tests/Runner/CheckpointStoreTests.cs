using Umt.Models.Weights;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Training;
using Umt.Tests.TestSupport;
using static TorchSharp.torch;

namespace Umt.Tests.Runner;

public sealed class CheckpointStoreTests
{
    private static string Save(CheckpointStore store, long step, int keep = 2)
    {
        using var scope = NewDisposeScope();
        var model = new Dictionary<string, Tensor> { ["encoder.w"] = full(2, 2, (float)step) };
        var optimizer = new Dictionary<string, Tensor> { ["state.0.step"] = tensor(step) };
        return store.Save(new TrainingState { Step = step, Losses = [.. Enumerable.Repeat(1.0, (int)step)] }, model, optimizer, new Dictionary<string, string> { ["parameters"] = "encoder.w" }, keep);
    }

    [Fact]
    public void Latest_names_the_newest_complete_checkpoint_and_old_ones_are_pruned()
    {
        using var temp = new TemporaryDirectory();
        var store = new CheckpointStore(temp.Path);

        foreach (long step in new long[] { 10, 20, 30 })
        {
            Save(store, step);
        }

        File.ReadAllText(temp.Combine("latest")).Should().Be("checkpoint-30\n");
        Directory.GetDirectories(temp.Path).Select(Path.GetFileName).Should().BeEquivalentTo(["checkpoint-20", "checkpoint-30"]);
        store.Latest()!.State.Step.Should().Be(30);
        using var scope = NewDisposeScope();
        SafetensorsFile.Read(store.Latest()!.ModelFile)["encoder.w"].data<float>().ToArray().Should().AllBeEquivalentTo(30f);
    }

    [Fact]
    public void A_partial_checkpoint_left_by_a_crash_is_never_read_and_is_cleaned_up()
    {
        using var temp = new TemporaryDirectory();
        var store = new CheckpointStore(temp.Path);
        Save(store, 10);
        // What a SIGKILL in the middle of writing step 20 leaves behind: a partial folder with a torn file.
        string partial = temp.Combine("checkpoint-20.partial-0123456789abcdef");
        Directory.CreateDirectory(partial);
        File.WriteAllBytes(Path.Combine(partial, CheckpointStore.ModelFile), [1, 2, 3]);

        store.Latest()!.State.Step.Should().Be(10);
        Save(store, 30);
        Directory.Exists(partial).Should().BeFalse("the next complete checkpoint cleans up partial folders");
    }

    [Fact]
    public void Without_a_latest_file_the_newest_complete_checkpoint_is_found()
    {
        using var temp = new TemporaryDirectory();
        var store = new CheckpointStore(temp.Path);
        Save(store, 10, keep: 5);
        Save(store, 20, keep: 5);
        File.Delete(temp.Combine("latest"));
        // A folder that lacks state.json is not complete and is skipped.
        Directory.CreateDirectory(temp.Combine("checkpoint-40"));

        store.Latest()!.State.Step.Should().Be(20);
    }
}
