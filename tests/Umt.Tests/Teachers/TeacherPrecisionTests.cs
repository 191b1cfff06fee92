using TorchSharp;
using Umt.Abstractions.Hardware;
using Umt.Models.Clip;
using Umt.Plugins.Teachers.Clip;
using Umt.Tests.TestSupport;
using static TorchSharp.torch;

namespace Umt.Tests.Teachers;

/// <summary>
/// The teacher's precision: what <c>auto</c> picks from /proc/cpuinfo, and the bf16 tower against
/// the fp32 one on the shipped tiny teacher (issue 17: cosine ≥ 0.999, ≥ 99 % identical masks).
/// </summary>
public sealed class TeacherPrecisionTests
{
    private const string Zen4Flags = "processor\t: 0\nflags\t\t: fpu sse2 avx2 fma avx512f avx512bw avx512_bf16 avx512_vnni\n";
    private const string SapphireRapidsFlags = "flags\t\t: fpu avx2 avx512f amx_bf16 amx_tile amx_int8\n";
    private const string Zen3Flags = "flags\t\t: fpu sse2 avx2 fma\nbugs\t\t: avx512_bf16_is_not_a_flag_here\n";

    [Theory]
    [InlineData("auto", DeviceType.CPU, Zen4Flags, true, "avx512_bf16")]
    [InlineData("auto", DeviceType.CPU, SapphireRapidsFlags, true, "amx_bf16")]
    [InlineData("auto", DeviceType.CPU, Zen3Flags, false, "neither")]
    [InlineData("auto", DeviceType.CPU, "", false, "neither")]
    [InlineData("auto", DeviceType.CUDA, Zen3Flags, true, "CUDA")]
    [InlineData("fp32", DeviceType.CUDA, Zen4Flags, false, "Precision = fp32")]
    [InlineData("bf16", DeviceType.CPU, Zen3Flags, true, "Precision = bf16")]
    public void Auto_takes_bf16_where_the_hardware_computes_it_and_explicit_values_win(string setting, DeviceType device, string cpuInfo, bool bf16, string reason)
    {
        var precision = TeacherPrecision.Resolve(setting, device, CpuInfo.Parse(cpuInfo));

        precision.Bf16.Should().Be(bf16);
        precision.Reason.Should().Contain(reason);
    }

    [Fact]
    public void An_unknown_precision_lists_the_valid_ones()
    {
        var act = () => TeacherPrecision.Resolve("fp16", DeviceType.CPU, CpuInfo.Parse(Zen4Flags));

        act.Should().Throw<ArgumentException>().WithMessage("*'fp16'*auto, fp32, bf16*");
    }

    [Fact]
    public void Folding_QuickGELUs_slope_into_the_weights_keeps_the_function()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var plain = new QuickGeluMlp(16);
        using var folded = new QuickGeluMlp(16);
        folded.load_state_dict(plain.state_dict());
        folded.FoldSlope();
        var x = randn(4, 5, 16) * 2;                                   // [B, L, D]

        var expected = plain.call(x);                                  // [B, L, D]  c_proj(h·σ(1.702h))
        folded.call(x).allclose(expected, rtol: 1e-5, atol: 1e-5).Should().BeTrue();
        folded.Invoking(m => m.FoldSlope()).Should().Throw<InvalidOperationException>("a second fold would scale the weights twice");
    }

    [Fact]
    public void The_bf16_tower_is_cast_once_at_load_with_fp32_LayerNorms()
    {
        using var tower = FrozenClipVision.Load(TinyTeacher, ClipVisionConfig.Tiny, bf16: true, CPU);

        var dtypes = tower.named_parameters().ToDictionary(p => p.name, p => p.parameter.dtype);
        dtypes.Where(p => p.Key.Contains("ln_", StringComparison.Ordinal)).Should().NotBeEmpty()
            .And.OnlyContain(p => p.Value == ScalarType.Float32);
        dtypes.Where(p => !p.Key.Contains("ln_", StringComparison.Ordinal)).Should().NotBeEmpty()
            .And.OnlyContain(p => p.Value == ScalarType.BFloat16);
    }

    [Fact]
    public void The_bf16_tiny_teacher_gives_the_fp32_targets_and_semantic_masks()
    {
        using var scope = NewDisposeScope();
        using var fp32 = FrozenClipVision.Load(TinyTeacher, ClipVisionConfig.Tiny, bf16: false, CPU);
        using var bf16 = FrozenClipVision.Load(TinyTeacher, ClipVisionConfig.Tiny, bf16: true, CPU);
        using var noGrad = no_grad();
        manual_seed(7);
        // 32 smooth random frames (an 8×8 field upsampled), the tiny teacher's 64².
        var images = nn.functional.interpolate(randn(32, 3, 8, 8), [64, 64], mode: InterpolationMode.Bilinear, align_corners: false); // [F, 3, 64, 64]
        int[] layers = [3, 4, 5];

        var reference = fp32.Encode(images, layers, withAttention: true);   // [K, F, P, D], [F, P]
        var half = bf16.Encode(images, layers, withAttention: true);

        var a = nn.functional.normalize(fp32.Project(reference.Layers).to(ScalarType.Float64), p: 2, dim: -1); // [K, F, P, C]
        var b = nn.functional.normalize(bf16.Project(half.Layers).to(ScalarType.Float64), p: 2, dim: -1);      // [K, F, P, C]
        var cosine = (a * b).sum(-1);                                                                           // [K, F, P]
        cosine.mean().item<double>().Should().BeGreaterThanOrEqualTo(0.999);
        half.ClsAttention!.dtype.Should().Be(ScalarType.Float32);
        half.ClsAttention.sum(1).allclose(reference.ClsAttention!.sum(1), atol: 2e-2).Should().BeTrue("the CLS row's patch share is the same softmax");

        // Semantic masks (ratio 0.8, true = hidden) drawn from each attention with the same Gumbel noise.
        var gumbel = -rand(reference.ClsAttention.shape).clamp(1e-20, 1 - 1e-7).log().neg().log();              // [F, P]
        Tensor Mask(Tensor attention) => ones_like(attention, ScalarType.Bool)
            .scatter(-1, (attention.log() + gumbel).topk(13, dim: -1).indexes, zeros(32, 13, ScalarType.Bool)); // [F, P]  13 = 64 − int(0.8·64) visible
        Mask(reference.ClsAttention).eq(Mask(half.ClsAttention)).to(ScalarType.Float64).mean().item<double>()
            .Should().BeGreaterThanOrEqualTo(0.99);
    }

    private static string TinyTeacher => Path.Combine(RepositoryPaths.Root, "assets", "teachers", "tiny-clip.safetensors");
}
