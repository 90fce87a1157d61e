import { AssignerProtocol, type Admin } from 'kafkajs';
import { eventually } from './test-platform';

/** A consumer group as its coordinator describes it, with each member's partitions of one topic. */
export interface GroupAssignment {
  /** `Stable`, `PreparingRebalance`, `CompletingRebalance`, `Empty` or `Dead`. */
  state: string;
  members: { memberId: string; partitions: number[] }[];
}

/**
 * Asked of the group coordinator rather than of the members, so a test sees who owns what
 * without trusting the code under test. The assignment is the standard consumer protocol's,
 * which librdkafka and kafkajs members both write.
 */
export async function describeAssignment(admin: Admin, groupId: string, topic: string): Promise<GroupAssignment> {
  const [group] = (await admin.describeGroups([groupId])).groups;
  return {
    state: group?.state ?? 'Dead',
    members: (group?.members ?? []).map((member) => ({
      memberId: member.memberId,
      partitions: [
        ...(AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment[topic] ?? []),
      ].sort((a, b) => a - b),
    })),
  };
}

/**
 * The group once it is Stable with `members` live members sharing exactly `partitions`, none
 * idle; `alive` (the processes behind the members) are checked at each poll, so a crash fails
 * the wait at once with its output instead of at the timeout.
 */
export function stableGroup(
  admin: Admin,
  groupId: string,
  topic: string,
  options: { members: number; partitions: readonly number[]; alive: Iterable<{ assertAlive(): void }>; what: string },
): Promise<GroupAssignment> {
  const all = [...options.partitions].sort((a, b) => a - b).join();
  return eventually(
    async () => {
      for (const child of options.alive) child.assertAlive();
      const now = await describeAssignment(admin, groupId, topic);
      const owned = now.members.flatMap((m) => m.partitions).sort((a, b) => a - b);
      return now.state === 'Stable' &&
        now.members.length === options.members &&
        now.members.every((m) => m.partitions.length > 0) &&
        owned.join() === all
        ? now
        : undefined;
    },
    60_000,
    `${options.what}: group Stable with ${options.members} member(s) sharing partitions ${all}`,
  );
}
