using TorchSharp;
using Umt.Abstractions.Hardware;

namespace Umt.Plugins.Teachers.Clip;

/// <summary>
/// A CLIP teacher's <c>Precision</c> option resolved to the precision its forward runs in, with the
/// reason. <c>auto</c> takes bf16 where the hardware computes bf16 matmuls natively (CUDA; a CPU
/// with AVX512-BF16 or AMX-BF16, listed in /proc/cpuinfo) and fp32 elsewhere, where bf16 would be
/// emulated and slower than fp32.
/// </summary>
/// <param name="Bf16">The forward runs in bfloat16.</param>
/// <param name="Reason">Why, for the run's log.</param>
public sealed record TeacherPrecision(bool Bf16, string Reason)
{
    /// <summary>The option's values.</summary>
    public static IReadOnlyList<string> Choices { get; } = ["auto", "fp32", "bf16"];

    /// <summary>CPU flags (as /proc/cpuinfo names them) that give bf16 matmuls in hardware.</summary>
    private static readonly string[] Bf16CpuFlags = ["avx512_bf16", "amx_bf16"];

    /// <summary>Resolves <paramref name="setting"/> on this machine for a teacher on <paramref name="device"/>.</summary>
    public static TeacherPrecision Resolve(string setting, DeviceType device) => Resolve(setting, device, CpuInfo.Machine);

    /// <summary>Resolves <paramref name="setting"/> for a teacher on <paramref name="device"/>, given the CPU.</summary>
    /// <exception cref="ArgumentException"><paramref name="setting"/> is not one of <see cref="Choices"/>.</exception>
    public static TeacherPrecision Resolve(string setting, DeviceType device, CpuInfo cpu)
    {
        switch (setting)
        {
            case "fp32":
                return new(false, "Precision = fp32");
            case "bf16":
                return new(true, "Precision = bf16");
            case "auto" when device == DeviceType.CUDA:
                return new(true, "auto: CUDA computes bf16 matmuls natively");
            case "auto" when device == DeviceType.CPU:
                var found = Bf16CpuFlags.Where(cpu.Has).ToArray();
                return found.Length > 0
                    ? new(true, $"auto: the CPU has {string.Join(" and ", found)}")
                    : new(false, $"auto: the CPU has neither {string.Join(" nor ", Bf16CpuFlags)}, so bf16 would be emulated");
            case "auto":
                return new(false, $"auto: no native bf16 path is known for {device}");
            default:
                throw new ArgumentException($"Precision '{setting}' is not one of {string.Join(", ", Choices)}.", nameof(setting));
        }
    }
}
