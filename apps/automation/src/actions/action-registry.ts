import { Injectable } from '@nestjs/common';
import type { ActionType } from '@rocketlead/contracts';
import type { ActionHandler } from './action-handler';
import { BranchAction } from './branch.action';
import { ChangeLeadStateAction } from './change-lead-state.action';
import { SendEmailAction } from './send-email.action';
import { SendSmsAction } from './send-sms.action';
import { SendWebhookAction } from './send-webhook.action';
import { StartWorkflowAction } from './start-workflow.action';
import { StopWorkflowAction } from './stop-workflow.action';
import { UpdateFieldsAction } from './update-fields.action';
import { TemplateRenderer } from './templates';
import { WaitAction } from './wait.action';
import { CreateTaskAction } from './create-task.action';
import { AssignUserAction } from './assign-user.action';
import { NotifyUserAction } from './notify-user.action';
import { AddTagAction } from './add-tag.action';
import { RemoveTagAction } from './remove-tag.action';

/**
 * Every action handler by its type. A new action type is an entry in the contracts' ACTION_DEFINITIONS, a
 * handler file here and one line below (the Record type makes a missing line a compile error).
 */
@Injectable()
export class ActionRegistry {
  private readonly handlers: Record<ActionType, ActionHandler>;

  constructor(
    changeLeadState: ChangeLeadStateAction,
    updateFields: UpdateFieldsAction,
    branch: BranchAction,
    startWorkflow: StartWorkflowAction,
    stopWorkflow: StopWorkflowAction,
    sendWebhook: SendWebhookAction,
    sendEmail: SendEmailAction,
    sendSms: SendSmsAction,
    wait: WaitAction,
    createTask: CreateTaskAction,
    assignUser: AssignUserAction,
    notifyUser: NotifyUserAction,
    addTag: AddTagAction,
    removeTag: RemoveTagAction,
  ) {
    this.handlers = {
      change_lead_state: changeLeadState,
      update_fields: updateFields,
      branch,
      start_workflow: startWorkflow,
      stop_workflow: stopWorkflow,
      send_webhook: sendWebhook,
      send_email: sendEmail,
      send_sms: sendSms,
      wait,
      create_task: createTask,
      assign_user: assignUser,
      notify_user: notifyUser,
      add_tag: addTag,
      remove_tag: removeTag,
    };
  }

  /** The handler of a type, or undefined for a type this version does not know. */
  handler(type: string): ActionHandler | undefined {
    return Object.prototype.hasOwnProperty.call(this.handlers, type)
      ? this.handlers[type as ActionType]
      : undefined;
  }
}

/** The providers of the actions: the handlers, the registry and the template renderer they share. */
export const ACTION_PROVIDERS = [
  TemplateRenderer,
  ChangeLeadStateAction,
  UpdateFieldsAction,
  BranchAction,
  StartWorkflowAction,
  StopWorkflowAction,
  SendWebhookAction,
  SendEmailAction,
  SendSmsAction,
  WaitAction,
  CreateTaskAction,
  AssignUserAction,
  NotifyUserAction,
  AddTagAction,
  RemoveTagAction,
  ActionRegistry,
];
