import { statusLines } from './connectors-connect-api';

describe('statusLines', () => {
  it("one line per connector and task; a failed task's trace beneath it", () => {
    expect(
      statusLines([
        {
          name: 'erp-postgres',
          connector: { state: 'RUNNING', worker_id: '127.0.0.1:8083' },
          tasks: [
            {
              id: 0,
              state: 'FAILED',
              worker_id: '127.0.0.1:8083',
              trace: 'org.apache.kafka.connect.errors.ConnectException: boom\n\tat io.debezium.X',
            },
          ],
        },
        { name: 'idle', connector: { state: 'PAUSED' }, tasks: [] },
      ]),
    ).toBe(
      [
        'erp-postgres  RUNNING  127.0.0.1:8083',
        '  task 0  FAILED  127.0.0.1:8083',
        '      org.apache.kafka.connect.errors.ConnectException: boom',
        '      \tat io.debezium.X',
        'idle  PAUSED',
        '  no tasks',
        '',
      ].join('\n'),
    );
  });

  it('says when there is none', () => {
    expect(statusLines([])).toBe('no connectors\n');
  });
});
