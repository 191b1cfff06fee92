using TorchSharp;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using Umt.Models.Layers;
using Umt.Models.Student;
using Umt.Models.Weights;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Student;

public sealed class VideoVisionTransformerTests
{
    // 2 frames of 8×8 in 4×4 patches: a 2×2×2 grid of N = 8 tokens, ordered (t, h, w).
    private static readonly StudentConfig Tiny = new() { Width = 16, Depth = 3, Heads = 2, Frames = 2, ImageSize = 8, PatchSize = 4 };
    private const int Tokens = 8;

    [Fact]
    public void State_dict_keys_are_exactly_the_reference_encoder_keys()
    {
        using var student = new VideoVisionTransformer(StudentPresets.Get("tiny") with { Frames = 2, ImageSize = 16, PatchSize = 8 });

        var expected = new List<string> { "patch_embed.proj.weight", "patch_embed.proj.bias", "norm.weight", "norm.bias" };
        for (var i = 0; i < 6; i++)
        {
            expected.AddRange(new[]
            {
                "norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.q_bias", "attn.v_bias", "attn.proj.weight",
                "attn.proj.bias", "norm2.weight", "norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias",
            }.Select(key => $"blocks.{i}.{key}"));
        }
        student.state_dict().Keys.Should().BeEquivalentTo(expected);
        student.state_dict()["blocks.5.attn.qkv.weight"].shape.Should().Equal(3 * 192, 192);
        student.state_dict()["patch_embed.proj.weight"].shape.Should().Equal(192, 3, 1, 8, 8);
    }

    [Fact]
    public void A_student_pretrained_at_another_grid_adds_that_grids_table_resized_to_its_own()
    {
        using var scope = NewDisposeScope();
        var pretrained = new TokenGrid(4, 1, 1); // Tiny's 2×2×2 grid fine-tuned from 4 slots of 1×1
        using var own = new VideoVisionTransformer(Tiny);
        using var resized = new VideoVisionTransformer(Tiny, pretrained);

        var expected = PositionTableInterpolation.Resize(SinCosPositionTable.Create(pretrained.Count, Tiny.Width), pretrained, own.Config.ToSpec().Grid);
        resized.PositionTable.allclose(expected, rtol: 0, atol: 0).Should().BeTrue();
        resized.PositionTable.allclose(own.PositionTable, atol: 1e-3).Should().BeFalse("the grid's own sin-cos table is not what the pre-trained weights saw");
        resized.PretrainedGrid.Should().Be(pretrained);
        resized.state_dict().Keys.Should().BeEquivalentTo(own.state_dict().Keys, "the table stays out of the checkpoint, resized or not");
        using var same = new VideoVisionTransformer(Tiny, own.Config.ToSpec().Grid);
        same.PositionTable.allclose(own.PositionTable, rtol: 0, atol: 0).Should().BeTrue("the same grid keeps today's table");
    }

    [Fact]
    public void Forward_visible_returns_the_requested_blocks_on_the_visible_tokens_in_ascending_order()
    {
        using var scope = NewDisposeScope();
        using var student = new VideoVisionTransformer(Tiny);
        var video = Video(2);
        var mask = Mask([[true, false, true, true, false, true, true, false], [false, false, true, true, true, true, true, false]]);

        var outputs = student.ForwardVisible(video, TokenSelection.FromMask(mask), [2, 0], null);

        outputs.Keys.Should().Equal(0, 2);
        outputs.Values.Should().AllSatisfy(output => output.shape.Should().Equal(2, 3, 16));
    }

    [Fact]
    public void Forward_visible_equals_the_blocks_run_on_the_gathered_embedding()
    {
        using var scope = NewDisposeScope();
        using var student = new VideoVisionTransformer(Tiny);
        var video = Video(2);
        bool[][] hidden = [[true, false, true, true, false, true, true, false], [false, true, true, false, true, false, true, true]];
        bool[][] nothingHidden = [new bool[Tokens], new bool[Tokens]];

        foreach (var rows in new[] { nothingHidden, hidden })
        {
            var outputs = student.ForwardVisible(video, TokenSelection.FromMask(Mask(rows)), [0, 1, 2], null);

            // Independent path: gather each row's visible tokens by index, then separately built
            // blocks loaded with the student's weights, then the final LayerNorm.
            var embedded = student.Embed(video);                                          // [B, N, D]
            var x = stack(rows.Select((row, b) => embedded[b].index_select(0, VisibleIndices(row))).ToArray());
            var state = student.state_dict();
            for (var i = 0; i < Tiny.Depth; i++)
            {
                using var block = new Block(Tiny.Width, Tiny.Heads, Tiny.MlpRatio, dropPathRate: 0);
                StateDictLoader.Load(block, state, $"blocks.{i}.");
                x = block.call(x, null);
                var expected = nn.functional.layer_norm(x, [Tiny.Width], state["norm.weight"], state["norm.bias"], 1e-6);
                outputs[i].allclose(expected, rtol: 1e-5, atol: 1e-6).Should().BeTrue($"block {i} matches");
            }
        }
    }

    [Fact]
    public void Hidden_patches_do_not_influence_the_output_and_visible_ones_do()
    {
        using var scope = NewDisposeScope();
        using var student = new VideoVisionTransformer(Tiny);
        var video = Video(1);
        // Token 5 = (t 1, h 0, w 1) is hidden; token 6 = (t 1, h 1, w 0) is visible.
        var mask = Mask([[true, false, false, true, false, true, false, false]]);
        var before = student.ForwardVisible(video, TokenSelection.FromMask(mask), [2], null)[2];

        var hiddenPatchChanged = video.clone();
        hiddenPatchChanged[0, .., 1, 0..4, 4..8] = randn(3, 4, 4);
        var visiblePatchChanged = video.clone();
        visiblePatchChanged[0, .., 1, 4..8, 0..4] = randn(3, 4, 4);

        student.ForwardVisible(hiddenPatchChanged, TokenSelection.FromMask(mask), [2], null)[2].equal(before).all().item<bool>().Should().BeTrue();
        student.ForwardVisible(visiblePatchChanged, TokenSelection.FromMask(mask), [2], null)[2].allclose(before, rtol: 1e-3, atol: 1e-3).Should().BeFalse();
    }

    [Fact]
    public void Drop_path_noise_feeds_the_blocks_and_gradients_stop_at_the_last_requested_block()
    {
        using var scope = NewDisposeScope();
        using var student = new VideoVisionTransformer(Tiny with { DropPath = 0.5 });
        student.train();
        var video = Video(4);
        var mask = Mask(Enumerable.Repeat(new[] { true, false, true, false, true, false, true, false }, 4).ToArray());
        var keepAll = ones(4, Tiny.Depth, 2).mul(0.99);
        var dropAll = zeros(4, Tiny.Depth, 2);

        // Rates are linspace(0, 0.5, 3) = [0, 0.25, 0.5]: block 0 never drops, block 1 may.
        var kept = student.ForwardVisible(video, TokenSelection.FromMask(mask), [1], keepAll)[1];
        var dropped = student.ForwardVisible(video, TokenSelection.FromMask(mask), [1], dropAll)[1];
        var plain = student.ForwardVisible(video, TokenSelection.FromMask(mask), [0, 1], null);
        var state = student.state_dict();

        dropped.allclose(plain[0], rtol: 1e-5, atol: 1e-6).Should().BeTrue("dropping block 1 leaves block 0's output");
        kept.allclose(plain[1], rtol: 1e-3, atol: 1e-4).Should().BeFalse("kept branches are scaled by 1 / (1 - 0.25)");
        kept.sum().backward();
        state["blocks.1.attn.qkv.weight"].grad.Should().NotBeNull();
        state["blocks.2.attn.qkv.weight"].grad.Should().BeNull("block 2 is not needed for block 1's output");
    }

    [Fact]
    public void Invalid_requests_are_refused()
    {
        using var scope = NewDisposeScope();
        using var student = new VideoVisionTransformer(Tiny);
        var video = Video(2);
        var mask = zeros(new long[] { 2, Tokens }, dtype: ScalarType.Bool);

        student.Invoking(s => s.ForwardVisible(video, TokenSelection.FromMask(mask), [3], null)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*3*0..2*");
        student.Invoking(s => s.ForwardVisible(video, TokenSelection.FromMask(mask), [], null)).Should().Throw<ArgumentException>();
        student.Invoking(s => s.ForwardVisible(video, TokenSelection.FromMask(mask), [0], zeros(2, 3))).Should().Throw<ArgumentException>().WithMessage("*[2, 3, 2]*");
        student.Invoking(s => s.Embed(randn(new long[] { 2, 3, 2, 16, 16 }))).Should().Throw<ArgumentException>().WithMessage("*[B, 3, 2, 8, 8]*");
    }

    [Fact]
    public void A_student_built_inside_a_dispose_scope_outlives_it()
    {
        VideoVisionTransformer student;
        using (NewDisposeScope())
        {
            student = new VideoVisionTransformer(Tiny);
        }
        using var scope = NewDisposeScope();
        using (student)
        {
            var outputs = student.ForwardVisible(Video(1), TokenSelection.FromMask(zeros(new long[] { 1, Tokens }, dtype: ScalarType.Bool)), [2], null);

            outputs[2].isnan().any().item<bool>().Should().BeFalse();
        }
    }

    [Fact]
    public void The_position_table_follows_the_student_to_another_device_and_dtype()
    {
        using var student = new VideoVisionTransformer(Tiny);
        var table = () => ((FixedPositionEmbedding)student.named_children().Single(child => child.name == "pos_embed").module).Rows;

        student.to(ScalarType.Float64);
        table().dtype.Should().Be(ScalarType.Float64);
        student.to(DeviceType.META);
        table().device_type.Should().Be(DeviceType.META);
    }

    [Fact]
    public void An_image_is_embedded_as_the_first_frame_of_a_clip_with_the_first_rows_of_the_table()
    {
        using var scope = NewDisposeScope();
        using var student = new VideoVisionTransformer(Tiny);
        var clip = Video(2);                                     // [2, 3, 2, 8, 8]
        var image = clip.narrow(2, 0, 1);                        // [2, 3, 1, 8, 8]: the clip's first frame

        var imageTokens = student.Embed(image);                  // [2, 4, 16]
        var clipTokens = student.Embed(clip);                    // [2, 8, 16]

        imageTokens.shape.Should().Equal(2, Tokens / 2, 16);
        // Tubelet 1 embeds each frame alone, and frame 0's tokens are the first 4 in (t, h, w)
        // order, so an image's tokens (its own table, the reference's img_pos_embed) equal them.
        imageTokens.allclose(clipTokens.narrow(1, 0, Tokens / 2), rtol: 0, atol: 1e-6).Should().BeTrue();
        var act = () => student.Embed(clip.narrow(2, 0, 1).expand(-1, -1, 3, -1, -1));
        act.Should().Throw<ArgumentException>().WithMessage("*or images [B, 3, 1, 8, 8]*", "only the configured frames or one frame fit the table");
    }

    private static Tensor Video(long batch) => randn(new long[] { batch, 3, 2, 8, 8 });   // [B, 3, T, H, W]

    private static Tensor Mask(bool[][] rows) =>
        tensor(rows.SelectMany(row => row).ToArray(), new long[] { rows.Length, rows[0].Length });

    private static Tensor VisibleIndices(bool[] hiddenRow) =>
        tensor(Enumerable.Range(0, hiddenRow.Length).Where(i => !hiddenRow[i]).Select(i => (long)i).ToArray());
}
