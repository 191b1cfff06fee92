using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Distributed;

namespace Umt.Tests.Distributed;

public sealed class LaunchEnvironmentTests
{
    private static LaunchEnvironment Detect(params (string Name, string Value)[] variables) =>
        LaunchEnvironment.Detect(variables.ToDictionary(v => v.Name, v => (string?)v.Value));

    [Fact]
    public void No_launcher_is_a_world_of_one()
    {
        Detect().Should().Be(LaunchEnvironment.Single);
    }

    [Fact]
    public void Open_mpi_variables_give_rank_world_and_local_placement()
    {
        var launch = Detect(("OMPI_COMM_WORLD_RANK", "3"), ("OMPI_COMM_WORLD_SIZE", "8"), ("OMPI_COMM_WORLD_LOCAL_RANK", "1"), ("OMPI_COMM_WORLD_LOCAL_SIZE", "4"));
        (launch.Rank, launch.WorldSize, launch.LocalRank, launch.LocalSize).Should().Be((3, 8, 1, 4));
        launch.Launcher.Should().Contain("Open MPI");
    }

    [Fact]
    public void Hydra_slurm_and_torchrun_are_read_in_that_order_after_open_mpi()
    {
        var both = Detect(("OMPI_COMM_WORLD_RANK", "1"), ("OMPI_COMM_WORLD_SIZE", "2"), ("RANK", "5"), ("WORLD_SIZE", "6"));
        both.Rank.Should().Be(1, "mpirun's own variables win over a stale torchrun RANK");

        var hydra = Detect(("PMI_RANK", "2"), ("PMI_SIZE", "3"), ("MPI_LOCALRANKID", "0"), ("MPI_LOCALNRANKS", "1"), ("SLURM_PROCID", "9"), ("SLURM_NTASKS", "10"));
        (hydra.Rank, hydra.WorldSize, hydra.LocalSize).Should().Be((2, 3, 1));

        var torchrun = Detect(("RANK", "5"), ("WORLD_SIZE", "6"), ("LOCAL_RANK", "1"), ("LOCAL_WORLD_SIZE", "2"));
        (torchrun.Rank, torchrun.WorldSize, torchrun.LocalRank, torchrun.LocalSize).Should().Be((5, 6, 1, 2));
    }

    [Theory]
    [InlineData("4", "0", 4)]
    [InlineData("2(x3)", "2", 2)]
    [InlineData("2(x2),1", "2", 1)]
    [InlineData("2(x2),1", "1", 2)]
    public void Slurm_tasks_on_this_node_come_from_the_compressed_tasks_per_node_list(string tasksPerNode, string nodeId, int expected)
    {
        var launch = Detect(("SLURM_PROCID", "0"), ("SLURM_NTASKS", "7"), ("SLURM_LOCALID", "0"), ("SLURM_TASKS_PER_NODE", tasksPerNode), ("SLURM_NODEID", nodeId));
        launch.LocalSize.Should().Be(expected);
    }

    [Fact]
    public void A_rank_outside_the_world_or_a_non_number_is_a_configuration_error_naming_the_variable()
    {
        var outside = () => Detect(("RANK", "2"), ("WORLD_SIZE", "2"));
        outside.Should().Throw<ConfigurationException>().Which.Message.Should().Contain("RANK = 2").And.Contain("WORLD_SIZE = 2");
        var garbage = () => Detect(("OMPI_COMM_WORLD_RANK", "one"), ("OMPI_COMM_WORLD_SIZE", "2"));
        garbage.Should().Throw<ConfigurationException>().Which.Message.Should().Contain("OMPI_COMM_WORLD_RANK").And.Contain("'one'");
    }
}
