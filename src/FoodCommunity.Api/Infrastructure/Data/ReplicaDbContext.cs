using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Infrastructure.Data;

/// <summary>
/// The same model on the read replica (ConnectionStrings:MySqlReplica, or the primary when none is
/// set). Only ever read from; <see cref="ReadDatabase"/> decides when a read may go here.
/// </summary>
public sealed class ReplicaDbContext(DbContextOptions<ReplicaDbContext> options) : FoodCommunityDbContext(options);
