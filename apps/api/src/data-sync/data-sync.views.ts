/** Data-sync use cases over DataSyncService (validated ids; reason required by the service's audit policy). */
import type { ChangeContext, DataSyncService, SyncTaskInput, SyncTaskView } from '@paddock/platform';
import type { DataSyncSnapshotView, SyncTaskDetail } from '@paddock/platform/contracts';
import { AppError } from '../errors.js';
import { TaskParam } from './data-sync.dto.js';

function checkId(value: string): string {
  if (!TaskParam.safeParse(value).success) throw new AppError('invalid', `bad task id ${JSON.stringify(value)}`);
  return value;
}

/** A task as the console shows it: spec, lifecycle state (with attempt history) and progress. */
function view(t: SyncTaskView): SyncTaskDetail {
  const { history, ...state } = t.state;
  return { id: t.spec.id, spec: t.spec, state, stateVersion: t.stateVersion, progress: t.progress, history };
}

export class DataSyncViews {
  constructor(readonly service: DataSyncService) {}

  async tasks(status?: string) {
    const all = (await this.service.list()).map(view);
    return { tasks: status ? all.filter((t) => t.state.status === status) : all };
  }

  async task(id: string) {
    const t = await this.service.get(checkId(id));
    if (!t) throw new AppError('not-found', `no task ${id}`);
    return view(t);
  }

  publish(input: SyncTaskInput & { reason?: string | undefined }, ctx: ChangeContext) {
    const { reason: _r, ...task } = input;
    return this.service.publish(task, ctx);
  }

  async cancel(id: string, ctx: ChangeContext) {
    await this.exists(id);
    return this.service.cancel(id, ctx);
  }

  async retry(id: string, ctx: ChangeContext) {
    await this.exists(id);
    return this.service.retry(id, ctx);
  }

  async remove(id: string, ctx: ChangeContext) {
    const deleted = await this.service.delete(checkId(id), ctx);
    if (!deleted) throw new AppError('not-found', `no task ${id}`);
    return { deleted };
  }

  async workers() {
    return { workers: await this.service.workers() };
  }

  master() {
    return this.service.master();
  }

  /** The socket.io snapshot / event payload. */
  async snapshot(): Promise<DataSyncSnapshotView> {
    const [tasks, workers] = await Promise.all([this.tasks(), this.workers()]);
    return { ...tasks, ...workers };
  }

  private async exists(id: string): Promise<void> {
    if (!(await this.service.get(checkId(id)))) throw new AppError('not-found', `no task ${id}`);
  }
}
