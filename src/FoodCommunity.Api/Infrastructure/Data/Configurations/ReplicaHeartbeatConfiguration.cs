using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace FoodCommunity.Api.Infrastructure.Data.Configurations;

internal sealed class ReplicaHeartbeatConfiguration : IEntityTypeConfiguration<ReplicaHeartbeat>
{
    public void Configure(EntityTypeBuilder<ReplicaHeartbeat> builder)
    {
        builder.ToTable("replica_heartbeat");
        builder.HasKey(h => h.Id);
        builder.Property(h => h.Id).ValueGeneratedNever();
        builder.Property(h => h.BeatAt).HasPrecision(6);
    }
}
