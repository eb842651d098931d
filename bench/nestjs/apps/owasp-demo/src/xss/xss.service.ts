import { Injectable } from "@nestjs/common";

@Injectable()
export class XssService {
  wrapHtml(message: string): string {
    return `<html><body><h1>Echo</h1><p>${message}</p></body></html>`;
  }
}
